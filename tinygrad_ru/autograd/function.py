"""``Function``: one node of the computational graph.

A Function computes its ``forward`` on raw arrays (numpy or cupy) and, when any input needs a
gradient and grad mode is on, records itself as the creator (``grad_fn``) of its outputs.
``backward`` receives the gradients of the outputs (Tensors) and returns one gradient per input:
the chain rule's local step ∂L/∂x = ∂L/∂y · ∂y/∂x.

This is also the extension point for users (like ``torch.autograd.Function``)::

    class Cube(Function):
        def forward(self, x):            # x: a raw array
            return x ** 3
        def backward(self, gy):          # gy: a Tensor
            x, = self.inputs
            return gy * 3 * x ** 2       # Tensor ops, so double backward works too

    y = Cube()(t)        # or Cube.apply(t)

A backward written with Tensor operations can itself be differentiated (``create_graph=True``);
one written on raw arrays (``Tensor(xp_expression)``) gives first derivatives only.

PyTorch's own form works too — static methods that receive a context ``ctx`` and Tensors, used
through ``apply`` (the forward runs without recording; ``ctx.save_for_backward`` keeps what the
backward reads, checked against in-place changes as in PyTorch)::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):             # x: a Tensor
            y = x.exp()
            ctx.save_for_backward(y)
            return y
        @staticmethod
        def backward(ctx, gy):
            y, = ctx.saved_tensors
            return gy * y                # one gradient per argument of forward (None for non-tensors)

    y = Exp.apply(t)

The fused ops of the library (``Linear``, ``Softmax``, ``LogSoftmax``, ``NLLLoss``, ``CrossEntropy``,
``Normalize``, ``Sigmoid``, ``Tanh``, ``ReLU``) want both: the usual ``loss.backward()`` fast on raw
arrays (no graph recorded, one fused GPU kernel per elementwise tail), and a differentiable backward
under ``create_graph=True``.  Each writes its derivative ONCE, against ``m = grad_math()``
(``tinygrad_ru/ops/_grad_math.py``): a small array-module-like namespace that is ``RAW`` (NumPy/CuPy
calls, the gradients wrapped at the end) when grad mode is off and ``GRAPH`` (the Tensor ops) when
it records; operators mean the same on both, and ``m.sum``, ``m.matmul``, ``m.fused(formula, …)``,
``m.saved(value, rebuild)`` spell what differs.  Why this and not a Tensor-only backward: on raw
arrays the first-order pass keeps its speed and its GPU kernels.  Measured cost of the shared
namespace (forward + backward of each op alone, old two-formula code vs the one formula, one
process alternating, CPU time, batch 128): Linear, Softmax, Sigmoid, Tanh, ReLU within ±1 %,
LogSoftmax +2 %, Normalize +3 % (one more temporary), NLLLoss +4 % and CrossEntropy +5 % (≈ 2-4 µs of
namespace calls per node).  Per-node overhead (old tree vs new, alternating processes, CPU time):
``a + b`` backward 21.4 → 21.9 µs, ``(a+b)·(b+1)`` 64.6 → 64.6 µs; a tiny MLP step (8×16, two
Linear, ReLU, CrossEntropy: all overhead) 257 → 267 µs (+4 %, the namespace calls).  The MLP epoch
(``benchmarks/run.py --only mlp --threads 1 --cpu-time``) moved less than its run-to-run noise here.

In-place safety (PyTorch's version counters): a recorded Function remembers the ``_version`` of
each input; before its backward runs, the inputs it reads (``saves``: their indices, None = all)
and, with ``saves_output``, its output must be unchanged, else backward raises PyTorch's
"modified by an inplace operation" RuntimeError.  A subclass whose backward reads no input value
(only shapes) sets ``saves = ()``, so in-place changes of those inputs stay allowed.

Hooks (PyTorch's ``Node.register_hook``/``register_prehook``): ``fn.register_prehook(h)`` calls
``h(grad_outputs)`` before the backward, ``fn.register_hook(h)`` calls
``h(grad_inputs, grad_outputs)`` after it (tuples; a hook may return a replacement tuple).
"""

from __future__ import annotations

import operator
import weakref
from typing import Any

from ..tensor import Tensor, _inplace_clock, as_tensor
from .grad_mode import grad_mode
from .hooks import RemovableHandle, add_hook

_version_of = operator.attrgetter("_version")


SMALL_VALUES = 64  # a released graph keeps the values of tensors up to this many elements


class FreedTensor(Tensor):
    """What a released graph keeps of a big tensor: shape, dtype, name, its place in the graph.

    The values were freed by backward (``data`` is a read-only zero-stride array of the right
    shape and dtype that costs one element).  ``origin()`` is the real tensor while something
    else keeps it alive (a weak reference), else None.
    """

    __slots__ = ("_origin",)

    def origin(self) -> Tensor | None:
        return self._origin()

    def __repr__(self) -> str:
        return f"tensor(<freed by backward>, shape={tuple(self.shape)}, dtype={self.dtype})"


def _keep(x: Tensor, freed: dict | None) -> Tensor:
    """What a released graph keeps of input ``x``: itself if small or a parameter, else its stand-in."""
    if x._data.size <= SMALL_VALUES or (x.grad_fn is None and x.requires_grad):
        return x
    return _stand_in(x, freed)


def _stand_in(x: Tensor, freed: dict | None) -> Tensor:
    """The :class:`FreedTensor` of ``x`` (the same one for every user in this backward pass)."""
    if isinstance(x, FreedTensor):
        return x
    if freed is not None:
        entry = freed.get(id(x))
        if entry is not None:
            return entry[1]
    xp = x.xp
    t = FreedTensor._wrap(xp.broadcast_to(xp.zeros((), dtype=x._data.dtype), x._data.shape), x.requires_grad)
    t.grad_fn, t._generation, t.name, t._version = x.grad_fn, x._generation, x.name, x._version
    t._origin = weakref.ref(x)
    if freed is not None:
        freed[id(x)] = (x, t)  # holding x keeps its id unique while the pass runs
    return t


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    # What the engine keeps for every recorded node lives in slots (set when the node is recorded,
    # fast to read); what a subclass's forward saves goes to its __dict__ (cleared by release).
    # generation: the position in the graph; backward visits higher generations first,
    # which gives a topological order even when a node is reused.
    __slots__ = ("inputs", "outputs", "generation", "needs_input_grad", "released", "_versions", "_clock",
                 "_grads_seen", "__dict__", "__weakref__")
    saves: tuple[int, ...] | None = None  # indices of the inputs whose values backward reads; None: all
    saves_output: bool = False  # backward reads its (first) output's value
    _records_versions: bool = True  # set from ``saves`` for each subclass
    _output_version: int = 0  # the output's version when made (not 0 when an in-place op became it)
    _prehooks: dict | None = None
    _hooks: dict | None = None
    materialize_grads: bool = True  # an output that got no gradient reaches backward as zeros (False: None)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        saves = cls.saves  # a property (Mul) decides per node: record all versions
        cls._records_versions = not (isinstance(saves, tuple) and not saves)
        if isinstance(cls.__dict__.get("forward"), staticmethod):  # PyTorch's ctx form
            cls.apply = classmethod(_apply_with_ctx)  # type: ignore[method-assign]

    @classmethod
    def apply(cls, *inputs: Any, **params: Any):
        return cls(**params)(*inputs)

    def __call__(self, *inputs: Any):
        for x in inputs:
            if not isinstance(x, Tensor):
                inputs = tuple(x if isinstance(x, Tensor) else as_tensor(x) for x in inputs)
                break
        ys = self.forward(*[x._data for x in inputs])
        record = False
        if grad_mode.enabled:
            for x in inputs:
                if x.requires_grad:
                    record = True
                    break
        single = type(ys) is not tuple
        outputs = [Tensor._wrap(ys, record)] if single else [Tensor._wrap(y, record) for y in ys]
        if record:
            self._record(inputs, outputs)
        return outputs[0] if single else tuple(outputs)

    def _record(self, inputs: tuple[Tensor, ...], outputs: list[Tensor]) -> None:
        """Enter this node in the graph: the creator of those ``outputs`` that require grad."""
        self.inputs = inputs
        self.needs_input_grad = tuple([x.requires_grad for x in inputs])
        self.released = False
        self._grads_seen = None  # (grad_outputs, grad_inputs) of the last backward, small ones only
        self._clock = _inplace_clock[0]  # the inputs' versions and the in-place clock now:
        self._versions = tuple(map(_version_of, inputs)) if self._records_versions else ()
        self.generation = gen = max([x._generation for x in inputs])
        for out in outputs:
            if out.requires_grad:
                out.grad_fn = self
                out._generation = gen + 1
        # weak references: outputs own their creator, never the other way round,
        # so the graph has no reference cycles and dies with its last Tensor.
        self.outputs = [weakref.ref(out) for out in outputs]

    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def register_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward (``torch`` Node hook).

        ``grad_inputs``: the gradients with respect to the node's inputs, one per input (None where
        none flows); ``grad_outputs``: the gradients with respect to its outputs.  Returning a tuple
        replaces ``grad_inputs``.  Returns a handle with ``.remove()``.
        """
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, hook, f"{self.name}.register_hook")

    def register_prehook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(grad_outputs)`` before this node's backward; returning a tuple replaces them."""
        if self._prehooks is None:
            self._prehooks = {}
        return add_hook(self._prehooks, hook, f"{self.name}.register_prehook")

    def check_versions(self) -> None:
        """Raise PyTorch's RuntimeError when a tensor that backward reads was modified in place."""
        if self._clock == _inplace_clock[0]:  # no in-place change anywhere since recording
            return
        if self.saves_output:
            out = self.outputs[0]()
            if out is not None and out._version != self._output_version:
                self._modified("output 0", out, self._output_version)
        versions = self._versions
        if not versions:
            return
        inputs = self.inputs
        for i in range(len(versions)) if self.saves is None else self.saves:
            if inputs[i]._version != versions[i]:
                self._modified(f"input {i}", inputs[i], versions[i])

    def _modified(self, what: str, t: Tensor, expected: int) -> None:
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{self.name}Backward, {what}, shape {tuple(t.shape)}, {t.dtype}] is at version "
            f"{t._version}; expected version {expected} instead. Hint: change it out of place "
            "(x = x + 1 instead of x += 1), or do the in-place change after backward()"
        )

    def release(self, freed: dict | None = None) -> None:
        """Free what backward needed, keep the skeleton of the graph for pictures.

        Called by backward unless ``retain_graph=True``.  Everything the forward saved is dropped
        (masks, column buffers, big inputs); what stays while the output tensor lives is the op's
        name, its edges, shapes, the gradients backward saw when they are small (``_grads_seen``)
        and inputs that are parameters or small (≤ ``SMALL_VALUES`` elements: the teaching sizes).
        A bigger input is replaced by a :class:`FreedTensor` stand-in; ``freed`` (id → (tensor,
        stand-in), one dict per backward pass) gives every user of a tensor the same stand-in and
        lets the tensor's own creator point its output to it.  ``released`` stays True: a second
        backward through the graph is an error, as in PyTorch.
        """
        self.__dict__.clear()  # what forward saved for backward
        self._versions = ()
        self.released = True
        inputs = self.inputs
        seen = self._grads_seen
        for x in inputs:  # all small (the teaching sizes): keep everything as it is
            if x._data.size > SMALL_VALUES:
                self.inputs = tuple([_keep(t, freed) for t in inputs])
                if seen is not None:  # a gradient has its input's shape: keep the small ones
                    seen = (seen[0], tuple([g if t._data.size <= SMALL_VALUES else None
                                            for g, t in zip(seen[1], inputs)]))
                break
        if freed:  # users of my outputs replaced them by stand-ins: point to those
            outputs = self.outputs
            for i, ref in enumerate(outputs):
                entry = freed.pop(id(ref()), None)
                if entry is not None:
                    outputs[i] = weakref.ref(entry[1])
        if seen is not None:
            for g in seen[0]:
                if g is not None and g._data.size > SMALL_VALUES:
                    seen = (tuple([g if g is None or g._data.size <= SMALL_VALUES else None for g in seen[0]]),
                            seen[1])
                    break
            self._grads_seen = seen

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"


# ----------------------------------------------------------------------------- PyTorch's ctx form
class FunctionCtx:
    """The ``ctx`` of a PyTorch-style Function: what its forward leaves for its backward.

    ``save_for_backward(*tensors)`` / ``saved_tensors`` (checked against in-place changes),
    ``needs_input_grad`` (one flag per argument of forward), ``mark_non_differentiable(*outputs)``,
    ``set_materialize_grads(False)`` (None instead of zeros for outputs that got no gradient); any
    other attribute may be set freely (``ctx.k = k``).
    """

    def __init__(self, name: str, needs_input_grad: tuple[bool, ...]) -> None:
        self._name, self.needs_input_grad = name, needs_input_grad
        self._saved: tuple[tuple[Any, int], ...] = ()
        self._non_differentiable: set[int] = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"{self._name}: save_for_backward can only save tensors (or None), "
                                f"got {type(t).__name__}")
        self._saved = tuple((t, t._version if t is not None else 0) for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        for i, (t, version) in enumerate(self._saved):
            if t is not None and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{self._name}Backward, saved tensor {i}, shape {tuple(t.shape)}, {t.dtype}] is "
                    f"at version {t._version}; expected version {version} instead")
        return tuple(t for t, _ in self._saved)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        self._non_differentiable.update(id(o) for o in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Tensor) -> None:
        raise NotImplementedError(f"{self._name}: in-place custom Functions (ctx.mark_dirty) are not supported; "
                                  "return a new tensor instead")


class _CtxNode(Function):
    """The graph node of one call of a PyTorch-style Function: runs its static ``backward(ctx, …)``."""

    __slots__ = ("fn_class",)  # a slot: release() frees the ctx (the saved tensors), the name stays for pictures
    saves = ()  # no input versions to record: ctx.saved_tensors checks what forward saved

    def __init__(self, fn_class: type, ctx: FunctionCtx, tensor_positions: list[int], n_args: int) -> None:
        self.fn_class, self.ctx, self.positions, self.n_args = fn_class, ctx, tensor_positions, n_args

    @property
    def name(self) -> str:
        return self.fn_class.__name__

    @property
    def materialize_grads(self) -> bool:  # type: ignore[override]
        return self.ctx.materialize_grads

    def backward(self, *grad_outputs: Tensor) -> Any:
        if self.ctx.materialize_grads:  # an output already gone got None from the engine: zeros, as torch
            grad_outputs = tuple(Tensor._wrap(xp.zeros(shape, dtype), False) if g is None else g
                                 for g, (xp, shape, dtype) in zip(grad_outputs, self.output_meta))
        grads = self.fn_class.backward(self.ctx, *grad_outputs)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) < self.n_args or any(g is not None for g in grads[self.n_args:]):
            raise RuntimeError(f"function {self.name}Backward returned an incorrect number of gradients "
                               f"(expected {self.n_args}, got {len(grads)})")
        picked = []
        for i in self.positions:
            g = grads[i]
            picked.append(None if g is None else g if isinstance(g, Tensor) else as_tensor(g))
        return tuple(picked)


def _apply_with_ctx(cls: type, *args: Any, **kwargs: Any) -> Any:
    """``Fn.apply(*args)`` for a PyTorch-style Function: forward(ctx, *args) without recording, then
    one node whose backward is ``cls.backward(ctx, *grad_outputs)``."""
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx = FunctionCtx(cls.__name__, needs)
    previous = grad_mode.enabled
    grad_mode.enabled = False
    try:
        if "setup_context" in cls.__dict__:  # PyTorch 2's split form: forward(*args), setup_context(ctx, …)
            result = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, result)
        else:
            result = cls.forward(ctx, *args, **kwargs)
    finally:
        grad_mode.enabled = previous
    single = not isinstance(result, tuple)
    results = (result,) if single else result
    if not (previous and any(needs)):
        return result
    node = _CtxNode(cls, ctx, positions, len(args))
    outputs = []
    input_ids = {id(a) for a in args}
    for r in results:
        if isinstance(r, Tensor):
            differentiable = id(r) not in ctx._non_differentiable and r.dtype.kind in "fc"
            if id(r) in input_ids or r.grad_fn is not None:  # an input handed back: a new tensor for it
                new = Tensor._wrap(r._data, differentiable)
                ctx._saved = tuple((new if t is r else t, v) for t, v in ctx._saved)
                r = new
            else:  # made by forward (which recorded nothing): it becomes the node's output itself
                r.requires_grad = differentiable
        outputs.append(r)
    tensors = [o for o in outputs if isinstance(o, Tensor)]
    node.output_meta = [(t.xp, t.shape, t.dtype) for t in tensors]
    node._record(tuple(args[i] for i in positions), tensors)
    it = iter(outputs)
    return next(it) if single else tuple(it)
