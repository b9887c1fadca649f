"""Each optimizer's update written out as code, operation for operation as solver/optimizers.py
computes it, so the exported program replays the app's numbers bit for bit. Adam and RMSprop
are torch.optim's own single-tensor operations, in its order (the solver's too)."""

from __future__ import annotations

from dataclasses import dataclass

from solver.settings import Settings

TORCH_EQUIVALENT = {
    "gd": "torch.optim.SGD({params}, lr=lr)",
    "momentum": "torch.optim.SGD({params}, lr=lr, momentum=momentum)",
    "nesterov": "torch.optim.SGD({params}, lr=lr, momentum=momentum, nesterov=True)",
    "adam": "torch.optim.Adam({params}, lr=lr, betas=(beta1, beta2), eps=eps{wd})",
    "rmsprop": "torch.optim.RMSprop({params}, lr=lr, alpha=alpha, eps=eps, "
               "momentum=momentum{wd})",
}


@dataclass(frozen=True)
class UpdateCode:
    """`state`: lines that (re)start the optimizer's memory; `body`: one update, to run inside
    `torch.no_grad()` (or on NumPy arrays); `constants`: the optimizer's fixed numbers."""

    state: list[str]
    body: list[str]
    constants: list[str]


def update_code(settings: Settings, params: list[str], backward: bool, lib: str) -> UpdateCode:
    """The update of `params` with learning rate `lr`.

    backward: gradients are in p.grad (filled by loss.backward()); otherwise in `grad` (one
    parameter) or the list `grads`. lib: "torch" or "np", the library of the arrays.
    """
    single = len(params) == 1
    p = params[0] if single else "p"
    if backward:
        g = f"{p}.grad"
    else:
        g = "grad" if single else "g"
    opt = settings.optimizer
    states = _STATE_NAMES[opt]
    if opt == "momentum" and not backward:
        states = ("velocity",)  # no p.grad to keep it in: the velocity is written out
    names = {s: (s if single else f"{s}[i]") for s in states}
    body = _BODY[opt](settings, p, g, names, backward, lib)
    wd = f", weight_decay={settings.weight_decay!r}" if settings.weight_decay else ""
    equivalent = TORCH_EQUIVALENT[opt].format(params=f"[{', '.join(params)}]", wd=wd)
    lead = "# torch.optim's own operations, in its order:" if opt in ("adam", "rmsprop") \
        else "# The same update as"
    header = [f"{lead} {equivalent}"] if len(lead) + len(equivalent) < 88 else \
        [lead, f"# {equivalent}"]
    if opt == "adam":
        header += ["adam_step += 1",
                   "bias_correction1 = 1 - beta1**adam_step",
                   "bias_correction2 = 1 - beta2**adam_step",
                   "step_size = lr / bias_correction1",
                   "bias_correction2_sqrt = bias_correction2**0.5"]
    if not single:
        if backward:
            loop = "for i, p in enumerate(params):" if states else "for p in params:"
        else:
            loop = "for i, (p, g) in enumerate(zip(params, grads, strict=True)):" if states \
                else "for p, g in zip(params, grads, strict=True):"
        body = [loop] + ["    " + line for line in body]
    state = []
    if states:
        empty = "None" if single else f"[None] * {len(params)}"
        state.append(", ".join(states) + " = " + ", ".join([empty] * len(states)))
    if opt == "adam":
        state.append("adam_step = 0")
    return UpdateCode(state=state, body=header + body, constants=_CONSTANTS[opt](settings))


_STATE_NAMES = {
    "gd": (),
    "momentum": (),  # the tutorial keeps the velocity in p.grad itself
    "nesterov": ("velocity",),
    "adam": ("first_moment", "second_moment"),
    "rmsprop": ("square_avg", "momentum_buffer"),
}


def _gd(s, p, g, names, backward, lib):
    lines = [f"{p} -= lr * {g}"]
    if backward:
        lines.append(f"{p}.grad.zero_()  # the next backward() starts from zero")
    return lines


def _momentum(s, p, g, names, backward, lib):
    if backward:
        # The tutorial's heavy ball: p.grad is never zeroed, so backward() adds the new
        # gradient to momentum * the old one: the velocity lives in p.grad.
        return [f"{p} -= lr * {g}",
                f"{p}.grad *= momentum  # friction; the next backward() adds the new gradient"]
    velocity = names["velocity"]
    lines = [f"if {velocity} is None:",
             f"    {velocity} = {g}  # the first gradient is the first velocity",
             "else:",
             f"    {velocity} *= momentum  # the tutorial's X.grad *= momentum",
             f"    {velocity} += {g}  # ... and the new gradient that backward() adds",
             f"{p} -= lr * {velocity}"]
    return lines


def _zero_grad(p, backward):
    return [f"{p}.grad.zero_()"] if backward else []


def _nesterov(s, p, g, names, backward, lib):
    v = names["velocity"]
    copy = "clone" if lib == "torch" else "copy"
    return [*([f"g = {g}"] if g != "g" else []),
            f"if {v} is None:",
            f"    {v} = g.{copy}()",
            "else:",
            f"    {v} *= momentum",
            f"    {v} += g",
            f"{p} -= lr * (g + momentum * {v})  # look ahead along the velocity",
            *_zero_grad(p, backward)]


def _torch_pair(s, p, g, lib):
    """Lines that name the parameter `p`/`q` and its gradient `g` as torch tensors, with L2
    weight decay folded into g; returns (lines, parameter name)."""
    lines = []
    if lib == "np":
        # torch.optim's operations on torch views of the NumPy arrays: they change X itself.
        lines.append(f"q = torch.from_numpy({p})  # shares {p}'s memory")
        lines.append(f"g = torch.from_numpy({g})")
        p = "q"
    elif g != "g":
        lines.append(f"g = {g}")
    if s.weight_decay:
        lines.append(f"g = g.add({p}, alpha=weight_decay)  # L2 weight decay, a new tensor")
    return lines, p


def _adam(s, p, g, names, backward, lib):
    m, v = names["first_moment"], names["second_moment"]
    lines, q = _torch_pair(s, p, g, lib)
    return [*lines,
            f"if {m} is None:",
            f"    {m}, {v} = torch.zeros_like({q}), torch.zeros_like({q})",
            f"{m}.lerp_(g, 1 - beta1)  # running mean of the gradient",
            f"{v}.mul_(beta2).addcmul_(g, g, value=1 - beta2)  # ... and of its square",
            f"denom = ({v}.sqrt() / bias_correction2_sqrt).add_(eps)",
            f"{q}.addcdiv_({m}, denom, value=-step_size)",
            *_zero_grad(p, backward)]


def _rmsprop(s, p, g, names, backward, lib):
    sq, buf = names["square_avg"], names["momentum_buffer"]
    lines, q = _torch_pair(s, p, g, lib)
    lines += [f"if {sq} is None:",
              f"    {sq}, {buf} = torch.zeros_like({q}), torch.zeros_like({q})",
              f"{sq}.mul_(alpha).addcmul_(g, g, value=1 - alpha)  # mean squared gradient",
              f"avg = {sq}.sqrt().add_(eps)"]
    if s.momentum > 0:
        lines += [f"{buf}.mul_(momentum).addcdiv_(g, avg)",
                  f"{q}.add_({buf}, alpha=-lr)"]
    else:
        lines += [f"{q}.addcdiv_(g, avg, value=-lr)"]
    return [*lines, *_zero_grad(p, backward)]


_BODY = {"gd": _gd, "momentum": _momentum, "nesterov": _nesterov, "adam": _adam,
         "rmsprop": _rmsprop}


def _wd_line(s):
    return [f"weight_decay = {s.weight_decay!r}"] if s.weight_decay else []


_CONSTANTS = {
    "gd": lambda s: [],
    "momentum": lambda s: [f"momentum = {s.momentum!r}"],
    "nesterov": lambda s: [f"momentum = {s.momentum!r}"],
    "adam": lambda s: [f"beta1 = {s.momentum!r}  # the app's momentum setting",
                       "beta2 = 0.999", "eps = 1e-8", *_wd_line(s)],
    "rmsprop": lambda s: [f"momentum = {s.momentum!r}", "alpha = 0.99", "eps = 1e-8",
                          *_wd_line(s)],
}
