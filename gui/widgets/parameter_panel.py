"""The parameter panel: every field of solver.Settings as a labelled control with a tooltip."""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from gui.widgets.label_colour import set_text_colour
from gui.widgets.run_keys import give_run_keys_to_shortcuts
from gui.widgets.sci_spin_box import SciSpinBox
from solver import Settings
from solver.theory import limit_text

MAX_INT = 2**31 - 1
# The stable-lr label's tooltip, per optimizer (solver.theory.max_stable_lr).
_ABOVE = ", λmax the largest curvature of the loss; above it the loss grows step after step."
STABLE_TIPS = {
    "gd": "Largest stable lr = 2/λmax" + _ABOVE,
    "momentum": "Largest stable lr = 2(1+β)/λmax for heavy-ball momentum" + _ABOVE,
    "nesterov": "Largest stable lr = 2(1+β)/((1+2β)·λmax) for Nesterov momentum" + _ABOVE,
}
# What each numeric control can show (lesson files are checked against these).
CONTROL_RANGES = {
    "lr": (1e-12, 1e6), "momentum": (0.0, 0.999), "schedule": (0.5, 1.0),
    "weight_decay": (0.0, 1e3), "seed": (0, MAX_INT), "max_steps": (0, MAX_INT),
    "tol": (0.0, 1e6),
}
INSIDE_COLOUR = "#1b5e20"  # the "stable < ..." label while lr is inside the stable range
OUTSIDE_COLOUR = "#b00020"  # and once it is above it (the run will diverge)

# (value, label, tooltip) for each choice; the combo's tooltip explains the field as a whole.
PROBLEMS = (
    ("inverse", "Inverse", "Find X with X·M = I (M square)."),
    ("pinv", "Pseudo-inverse", "Find X minimising ‖X·M − I‖² (M tall or square) or "
                               "‖M·X − I‖² (M wide): the pseudo-inverse M⁺."),
    ("svd", "SVD", "Find U, d, V with M = U·diag(d²)·Vᵀ."),
)
SIDES = (
    ("left", "left: X·M = I", "Residual R = X·M − I."),
    ("right", "right: M·X = I", "Residual R = M·X − I."),
    ("both", "both: (X·M+M·X)/2 = I", "Residual R = (X·M + M·X)/2 − I."),
)
SIDE_TIP = "Which residual R the loss = mean(R²) measures: X·M − I, M·X − I or their mean."
PINV_SIDE_TIP = ("A pseudo-inverse of a tall M is found from X·M ≈ I, of a wide M from "
                 "M·X ≈ I: the side whose optimum is exact, fixed by M's shape.")
SVD_METHODS = (
    ("penalty", "penalty (tutorial)", "loss = mse(U·S·Vᵀ, M) + mse(UᵀU, I)/100 + mse(VVᵀ, I)/100."),
    ("deflation", "rank-one deflation", "Fit one singular triple at a time to M − Σ sᵢuᵢvᵢᵀ."),
)
OPTIMIZERS = (
    ("gd", "gradient descent", "X ← X − lr·∇loss."),
    ("momentum", "momentum (tutorial)", "b ← β·b + ∇loss; X ← X − lr·b."),
    ("nesterov", "Nesterov", "b ← β·b + ∇loss; X ← X − lr·(∇loss + β·b)."),
    ("adam", "Adam", "X ← X − lr·m̂/(√v̂ + ε) with running means m, v of ∇ and ∇²."),
    ("rmsprop", "RMSprop", "X ← X − lr·∇/(√v + ε) with v a running mean of ∇²."),
)
INITS = (
    ("random", "random (torch.rand)", "X₀ = torch.rand(...) after torch.manual_seed(seed)."),
    ("zeros", "zeros", "X₀ = 0."),
    ("transpose", "Mᵀ / ‖M‖²", "X₀ = Mᵀ/‖M‖², a guess already pointing the right way."),
)
DTYPES = (
    ("float32", "float32 (tutorial)", "About 7 significant digits, as in the tutorial."),
    ("float64", "float64", "About 16 significant digits."),
)
GRADIENTS = (
    ("autograd", "autograd", "∇loss from loss.backward(), as in the tutorial."),
    ("closed-form", "closed form", "∇loss written out by hand (inverse, pinv): (2/N)·R·Mᵀ "
                                   "for X·M = I, (2/N)·Mᵀ·R for M·X = I, (1/N)·(R·Mᵀ + Mᵀ·R) "
                                   "for (X·M + M·X)/2 = I."),
)


def _combo(name: str, choices: tuple, tip: str, parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setToolTip(tip)
    for value, label, item_tip in choices:
        combo.addItem(label, value)
        combo.setItemData(combo.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
    return combo


def _select(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


class ParameterPanel(QWidget):
    """Shows the document's settings, every field a labelled control with a tooltip, and
    says which field the user changed; it keeps no settings of its own (the document model
    decides what a change does and sends the result back through `show_settings`).

    Signals:
        field_changed(str, object): the user set a Settings field (name, new value).
    """

    field_changed = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build()
        for name, combo in self._combos().items():
            combo.currentIndexChanged.connect(
                lambda _i, n=name, c=combo: self.field_changed.emit(n, c.currentData()))
        for name, spin in self._spins().items():
            spin.valueChanged.connect(lambda value, n=name: self.field_changed.emit(n, value))
        self.decay_spin.valueChanged.connect(self._on_decay)
        give_run_keys_to_shortcuts([*self._spins().values(), self.decay_spin])

    # --- public API ----------------------------------------------------------------------
    def settings(self) -> Settings:
        """The Settings the controls show."""
        gamma = self.decay_spin.value()
        return Settings(
            problem=self.problem_combo.currentData(),
            side=self.side_combo.currentData(),
            svd_method=self.svd_combo.currentData(),
            optimizer=self.optimizer_combo.currentData(),
            lr=self.lr_spin.value(),
            momentum=self.momentum_spin.value(),
            schedule=_schedule(gamma),
            weight_decay=self.weight_decay_spin.value(),
            init=self.init_combo.currentData(),
            seed=self.seed_spin.value(),
            dtype=self.dtype_combo.currentData(),
            gradient=self.gradient_combo.currentData(),
            device=self.device_combo.currentData(),
            max_steps=self.max_steps_spin.value(),
            tol=self.tol_spin.value(),
        )

    def show_settings(self, settings: Settings, shape: tuple[int, int]) -> None:
        """Show `settings` (for a matrix of `shape`) without emitting any change, and grey
        out what the problem and optimizer do not use."""
        widgets = [*self._combos().values(), *self._spins().values(), self.decay_spin]
        for widget in widgets:
            widget.blockSignals(True)
        for name, combo in self._combos().items():
            _select(combo, getattr(settings, name))
        for name, spin in self._spins().items():
            spin.setValue(getattr(settings, name))
        self.decay_spin.setValue(settings.schedule_gamma)
        for widget in widgets:
            widget.blockSignals(False)
        self._update_enabled(settings, shape)

    def show_theory(self, theory: object | None) -> None:
        """Show the largest stable learning rate from solver.theory.analyse (or why none),
        green while lr is inside the stable range, red and bold above it."""
        limit = getattr(theory, "max_stable_lr", None)
        key = None if theory is None else (limit, getattr(theory, "optimal_lr", None),
                                           getattr(theory, "optimal_momentum", None))
        if key == self._theory_key and self.stable_label.text():
            return  # most frames bring the same numbers: no new text, no new layout
        self._theory_key = key
        self._limit = limit
        if theory is None:
            self.stable_label.setText("")
            self.stable_label.setToolTip("")
        elif limit is None:
            self.stable_label.setText("no simple limit")
            self.stable_label.setToolTip(
                "For this optimizer or problem the stable learning rate has no closed form."
            )
        else:
            tip = STABLE_TIPS.get(self.optimizer_combo.currentData(), STABLE_TIPS["momentum"])
            best = getattr(theory, "optimal_lr", None)
            if best is not None:
                # The fastest lr goes with its own momentum, so it can exceed the limit shown
                # for the current momentum: say which momentum it belongs to.
                beta = getattr(theory, "optimal_momentum", None)
                tip += f" Fastest in theory: lr = {best:.3g}"
                tip += f" with β = {beta:.3g}." if beta is not None else "."
            self.stable_label.setText(f"stable < {limit_text(limit)}")
            self.stable_label.setToolTip(tip)
        self._colour_stable_label()

    @property
    def lr_inside_stable_range(self) -> bool | None:
        """True/False for lr inside/outside the stable range, None without a limit."""
        if self._limit is None:
            return None
        return self.lr_spin.value() < self._limit

    # --- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.problem_combo = _combo(
            "problemCombo", PROBLEMS,
            "What to compute: the inverse (X·M = I), the pseudo-inverse (least squares "
            "X·M ≈ I) or the SVD (M = U·diag(d²)·Vᵀ).", self)
        self.side_combo = _combo("sideCombo", SIDES, SIDE_TIP, self)
        self.svd_combo = _combo(
            "svdMethodCombo", SVD_METHODS,
            "How the SVD loss is built: the tutorial's penalty terms or one singular triple at "
            "a time.", self)
        self.optimizer_combo = _combo(
            "optimizerCombo", OPTIMIZERS,
            "The update rule that turns the gradient ∇loss into a step on X.", self)
        self.init_combo = _combo(
            "initCombo", INITS, "The first guess X₀ the descent starts from.", self)
        self.dtype_combo = _combo(
            "dtypeCombo", DTYPES,
            "Floating-point precision of M and X, which sets how small the loss can get.", self)
        self.gradient_combo = _combo(
            "gradientCombo", GRADIENTS,
            "How ∇loss is computed: by autograd or from the closed form ((2/N)·R·Mᵀ for "
            "X·M = I; see each choice).", self)
        devices = [("cpu", "CPU", "Run on the processor.")]
        if torch.cuda.is_available():
            devices.append(("cuda", "GPU (CUDA)", "Run on the graphics card."))
        self.device_combo = _combo(
            "deviceCombo", tuple(devices), "Where torch computes: X and M live there.", self)

        self.lr_spin = SciSpinBox(*CONTROL_RANGES["lr"], parent=self)
        self.lr_spin.setObjectName("lrSpin")
        self.lr_spin.setToolTip(
            "Learning rate lr, the step size in X ← X − lr·∇loss; applies at the next step.")
        self.stable_label = QLabel(self)
        self.stable_label.setObjectName("stableLrLabel")
        # Every digit kept: theory's optimal β (0.361887...) must reach the run unrounded.
        self.momentum_spin = SciSpinBox(*CONTROL_RANGES["momentum"], log_step=False, parent=self)
        self.momentum_spin.setObjectName("momentumSpin")
        self.momentum_spin.setStepType(QDoubleSpinBox.StepType.DefaultStepType)
        self.momentum_spin.setSingleStep(0.05)
        self.momentum_spin.setToolTip(
            "Momentum β in b ← β·b + ∇loss (β₁ for Adam); 0 is plain gradient descent.")
        self.decay_spin = SciSpinBox(*CONTROL_RANGES["schedule"], log_step=False, parent=self)
        self.decay_spin.setObjectName("decaySpin")
        self.decay_spin.setStepType(QDoubleSpinBox.StepType.DefaultStepType)
        self.decay_spin.setSingleStep(0.001)
        self.decay_spin.setToolTip(
            "Learning-rate schedule lr_t = lr·γᵗ; γ = 1 keeps the learning rate constant.")
        self.weight_decay_spin = SciSpinBox(*CONTROL_RANGES["weight_decay"], log_step=False,
                                            parent=self)
        self.weight_decay_spin.setObjectName("weightDecaySpin")
        self.weight_decay_spin.setToolTip(
            "Weight decay λ adds λ·X to the gradient (Adam, RMSprop; the tutorial uses 1e-5).")
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(*CONTROL_RANGES["seed"])
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip(
            "Seed s of torch.manual_seed(s) before X₀ = torch.rand(...); same seed, same run.")
        self.max_steps_spin = QSpinBox(self)
        self.max_steps_spin.setObjectName("maxStepsSpin")
        self.max_steps_spin.setRange(*CONTROL_RANGES["max_steps"])
        self.max_steps_spin.setGroupSeparatorShown(True)
        self.max_steps_spin.setSpecialValueText("unlimited")
        self.max_steps_spin.setKeyboardTracking(False)
        self.max_steps_spin.setToolTip(
            "The run stops after t = max steps updates (0 = never stop on a count).")
        self.tol_spin = SciSpinBox(*CONTROL_RANGES["tol"], factor=10.0, parent=self)
        self.tol_spin.setObjectName("tolSpin")
        self.tol_spin.setToolTip("The run stops as converged once loss < tol (0 = never).")

        self._limit: float | None = None
        self._theory_key: tuple | None = None
        self.lr_spin.valueChanged.connect(self._colour_stable_label)
        # Filled with the window's "Optimal settings" action (theory's lr and momentum).
        self.optimal_button = QToolButton(self)
        self.optimal_button.setObjectName("panelOptimalSettingsButton")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 6, 0)  # a gap before the scroll bar
        form.addRow("Problem", self.problem_combo)
        form.addRow("Residual", self.side_combo)
        form.addRow("SVD method", self.svd_combo)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        # Under the field, not beside it: its text changes with every analysis, and beside
        # the field it set the panel's width (and moved the Play button).
        form.addRow("", self.stable_label)
        form.addRow("Momentum β", self.momentum_spin)
        form.addRow("", self.optimal_button)
        form.addRow("lr decay γ", self.decay_spin)
        form.addRow("Weight decay", self.weight_decay_spin)
        form.addRow("Initial guess", self.init_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Precision", self.dtype_combo)
        form.addRow("Gradient", self.gradient_combo)
        form.addRow("Device", self.device_combo)
        form.addRow("Max steps", self.max_steps_spin)
        form.addRow("Tolerance", self.tol_spin)
        # The form's labels carry each control's tooltip too, so hovering the name explains it.
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = field.widget() if field.widget() else field.layout().itemAt(0).widget()
            if label is not None and label.widget() is not None:
                label.widget().setToolTip(widget.toolTip())

    def _combos(self) -> dict[str, QComboBox]:
        return {"problem": self.problem_combo, "side": self.side_combo,
                "svd_method": self.svd_combo, "optimizer": self.optimizer_combo,
                "init": self.init_combo, "dtype": self.dtype_combo,
                "gradient": self.gradient_combo, "device": self.device_combo}

    def _spins(self) -> dict[str, QDoubleSpinBox | QSpinBox]:
        return {"lr": self.lr_spin, "momentum": self.momentum_spin,
                "weight_decay": self.weight_decay_spin, "seed": self.seed_spin,
                "max_steps": self.max_steps_spin, "tol": self.tol_spin}

    # --- reactions -----------------------------------------------------------------------
    def _on_decay(self, gamma: float) -> None:
        self.field_changed.emit("schedule", _schedule(gamma))

    def _colour_stable_label(self, *_args) -> None:
        inside = self.lr_inside_stable_range
        if inside is None:
            set_text_colour(self.stable_label, None)
        else:
            set_text_colour(self.stable_label, INSIDE_COLOUR if inside else OUTSIDE_COLOUR,
                            bold=not inside)

    def _update_enabled(self, settings: Settings, shape: tuple[int, int]) -> None:
        """Grey out the controls that the chosen problem and optimizer ignore."""
        problem, optimizer = settings.problem, settings.optimizer
        square = shape[0] == shape[1]
        # A pseudo-inverse's residual follows from M's shape (the only side with an exact
        # optimum); the combo shows it, greyed, as it shows the SVD's unused choices.
        self.side_combo.setEnabled(problem == "inverse")
        self.side_combo.setToolTip(SIDE_TIP if problem != "pinv" else PINV_SIDE_TIP)
        _enable_item(self.problem_combo, "inverse", square)
        self.svd_combo.setEnabled(problem == "svd")
        _enable_item(self.gradient_combo, "closed-form", problem != "svd")
        self.momentum_spin.setEnabled(optimizer != "gd")
        self.weight_decay_spin.setEnabled(optimizer in ("adam", "rmsprop"))
        self.init_combo.setEnabled(problem != "svd")


def _schedule(gamma: float) -> str:
    return "constant" if gamma >= 1.0 else f"exp:{gamma:.6g}"


def _enable_item(combo: QComboBox, value: str, enabled: bool) -> None:
    item = combo.model().item(combo.findData(value))
    if item is not None:
        item.setEnabled(enabled)
