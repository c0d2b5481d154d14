// MathJax 3: $...$ and $$...$$ in the Markdown pages (plain mkdocs, no extra Markdown extensions).
window.MathJax = {
  tex: {inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]]},
  options: {skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code"]}
};
