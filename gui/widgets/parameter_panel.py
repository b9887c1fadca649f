"""The parameter panel: every field of solver.Settings as a labelled control with a tooltip."""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from gui.widgets.sci_spin_box import SciSpinBox
from solver import Settings

MAX_INT = 2**31 - 1

# (value, label, tooltip) for each choice; the combo's tooltip explains the field as a whole.
PROBLEMS = (
    ("inverse", "Inverse", "Find X with X·M = I (M square)."),
    ("pinv", "Pseudo-inverse", "Find X minimising ‖X·M − I‖², the pseudo-inverse M⁺."),
    ("svd", "SVD", "Find U, d, V with M = U·diag(d²)·Vᵀ."),
)
SIDES = (
    ("left", "left: X·M = I", "Residual R = X·M − I."),
    ("right", "right: M·X = I", "Residual R = M·X − I."),
    ("both", "both: (X·M+M·X)/2 = I", "Residual R = (X·M + M·X)/2 − I."),
)
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
    ("closed-form", "closed form", "∇loss = (2/N)·R·Mᵀ written out by hand (inverse, pinv)."),
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
    """Shows and edits a Settings; tells which changes apply live and which need a new run.

    Signals:
        lr_changed(float): the learning rate changed (applies at the next step).
        momentum_changed(float): the momentum changed (applies at the next step).
        settings_changed(): any other field changed; the run must restart.
    """

    lr_changed = Signal(float)
    momentum_changed = Signal(float)
    settings_changed = Signal()

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shape = (1, 1)
        self._build()
        self.set_settings(settings or Settings())
        for combo in self._combos():
            combo.currentIndexChanged.connect(self._on_reset_field)
        for spin in (self.decay_spin, self.weight_decay_spin, self.seed_spin, self.tol_spin,
                     self.max_steps_spin):
            spin.valueChanged.connect(self._on_reset_field)
        self.lr_spin.valueChanged.connect(self.lr_changed)
        self.momentum_spin.valueChanged.connect(self.momentum_changed)

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
            schedule="constant" if gamma >= 1.0 else f"exp:{gamma:.6g}",
            weight_decay=self.weight_decay_spin.value(),
            init=self.init_combo.currentData(),
            seed=self.seed_spin.value(),
            dtype=self.dtype_combo.currentData(),
            gradient=self.gradient_combo.currentData(),
            device=self.device_combo.currentData(),
            max_steps=self.max_steps_spin.value(),
            tol=self.tol_spin.value(),
        )

    def set_settings(self, settings: Settings) -> None:
        """Show `settings` in the controls without emitting any change signal."""
        widgets = [*self._combos(), self.lr_spin, self.momentum_spin, self.decay_spin,
                   self.weight_decay_spin, self.seed_spin, self.max_steps_spin, self.tol_spin]
        for widget in widgets:
            widget.blockSignals(True)
        _select(self.problem_combo, "inverse" if settings.problem == "auto" else settings.problem)
        _select(self.side_combo, settings.side)
        _select(self.svd_combo, settings.svd_method)
        _select(self.optimizer_combo, settings.optimizer)
        _select(self.init_combo, settings.init)
        _select(self.dtype_combo, settings.dtype)
        _select(self.gradient_combo, settings.gradient)
        _select(self.device_combo, settings.device)
        self.lr_spin.setValue(settings.lr)
        self.momentum_spin.setValue(settings.momentum)
        self.decay_spin.setValue(settings.schedule_gamma)
        self.weight_decay_spin.setValue(settings.weight_decay)
        self.seed_spin.setValue(settings.seed)
        self.max_steps_spin.setValue(settings.max_steps)
        self.tol_spin.setValue(settings.tol)
        for widget in widgets:
            widget.blockSignals(False)
        self._update_enabled()

    def set_shape(self, rows: int, cols: int) -> None:
        """Adapt to the matrix shape: a non-square matrix has no inverse, so choose pinv."""
        self._shape = (rows, cols)
        if rows != cols and self.problem_combo.currentData() == "inverse":
            self.problem_combo.blockSignals(True)
            _select(self.problem_combo, "pinv")
            self.problem_combo.blockSignals(False)
        self._update_enabled()

    def set_theory(self, theory: object | None) -> None:
        """Show the largest stable learning rate from solver.theory.analyse (or why none)."""
        limit = getattr(theory, "max_stable_lr", None)
        if limit is None:
            self.stable_label.setText("no simple limit")
            self.stable_label.setToolTip(
                "For this optimizer or problem the stable learning rate has no closed form."
            )
            return
        tip = (
            "Largest stable lr = 2(1+β)/λmax for momentum (2/λmax without), λmax the largest "
            "curvature of the loss; above it the loss grows step after step."
        )
        best = getattr(theory, "optimal_lr", None)
        if best is not None:
            # The fastest lr goes with its own momentum, so it can exceed the limit shown
            # for the current momentum: say which momentum it belongs to.
            beta = getattr(theory, "optimal_momentum", None)
            tip += f" Fastest in theory: lr = {best:.3g}"
            tip += f" with β = {beta:.3g}." if beta is not None else "."
        self.stable_label.setText(f"stable < {limit:.3g}")
        self.stable_label.setToolTip(tip)

    # --- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.problem_combo = _combo(
            "problemCombo", PROBLEMS,
            "What to compute: the inverse (X·M = I), the pseudo-inverse (least squares "
            "X·M ≈ I) or the SVD (M = U·diag(d²)·Vᵀ).", self)
        self.side_combo = _combo(
            "sideCombo", SIDES,
            "Which residual R the loss = mean(R²) measures: X·M − I, M·X − I or their mean.", self)
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
            "How ∇loss is computed: by autograd or from the closed form (2/N)·R·Mᵀ.", self)
        devices = [("cpu", "CPU", "Run on the processor.")]
        if torch.cuda.is_available():
            devices.append(("cuda", "GPU (CUDA)", "Run on the graphics card."))
        self.device_combo = _combo(
            "deviceCombo", tuple(devices), "Where torch computes: X and M live there.", self)

        self.lr_spin = SciSpinBox(1e-12, 1e6, parent=self)
        self.lr_spin.setObjectName("lrSpin")
        self.lr_spin.setToolTip(
            "Learning rate lr, the step size in X ← X − lr·∇loss; applies at the next step.")
        self.stable_label = QLabel(self)
        self.stable_label.setObjectName("stableLrLabel")
        # Every digit kept: theory's optimal β (0.361887...) must reach the run unrounded.
        self.momentum_spin = SciSpinBox(0.0, 0.999, log_step=False, parent=self)
        self.momentum_spin.setObjectName("momentumSpin")
        self.momentum_spin.setStepType(QDoubleSpinBox.StepType.DefaultStepType)
        self.momentum_spin.setSingleStep(0.05)
        self.momentum_spin.setToolTip(
            "Momentum β in b ← β·b + ∇loss (β₁ for Adam); 0 is plain gradient descent.")
        self.decay_spin = SciSpinBox(0.5, 1.0, log_step=False, parent=self)
        self.decay_spin.setObjectName("decaySpin")
        self.decay_spin.setStepType(QDoubleSpinBox.StepType.DefaultStepType)
        self.decay_spin.setSingleStep(0.001)
        self.decay_spin.setToolTip(
            "Learning-rate schedule lr_t = lr·γᵗ; γ = 1 keeps the learning rate constant.")
        self.weight_decay_spin = SciSpinBox(0.0, 1e3, log_step=False, parent=self)
        self.weight_decay_spin.setObjectName("weightDecaySpin")
        self.weight_decay_spin.setToolTip(
            "Weight decay λ adds λ·X to the gradient (Adam, RMSprop; the tutorial uses 1e-5).")
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(0, MAX_INT)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip(
            "Seed s of torch.manual_seed(s) before X₀ = torch.rand(...); same seed, same run.")
        self.max_steps_spin = QSpinBox(self)
        self.max_steps_spin.setObjectName("maxStepsSpin")
        self.max_steps_spin.setRange(0, MAX_INT)
        self.max_steps_spin.setGroupSeparatorShown(True)
        self.max_steps_spin.setSpecialValueText("unlimited")
        self.max_steps_spin.setKeyboardTracking(False)
        self.max_steps_spin.setToolTip(
            "The run stops after t = max steps updates (0 = never stop on a count).")
        self.tol_spin = SciSpinBox(0.0, 1e6, factor=10.0, parent=self)
        self.tol_spin.setObjectName("tolSpin")
        self.tol_spin.setToolTip("The run stops as converged once loss < tol (0 = never).")

        lr_row = QHBoxLayout()
        lr_row.setContentsMargins(0, 0, 0, 0)
        lr_row.addWidget(self.lr_spin, 1)
        lr_row.addWidget(self.stable_label)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 6, 0)  # a gap before the scroll bar
        form.addRow("Problem", self.problem_combo)
        form.addRow("Residual", self.side_combo)
        form.addRow("SVD method", self.svd_combo)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", lr_row)
        form.addRow("Momentum β", self.momentum_spin)
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
            if label is not None:
                label.widget().setToolTip(widget.toolTip())

    def _combos(self) -> list[QComboBox]:
        return [self.problem_combo, self.side_combo, self.svd_combo, self.optimizer_combo,
                self.init_combo, self.dtype_combo, self.gradient_combo, self.device_combo]

    # --- reactions -----------------------------------------------------------------------
    def _on_reset_field(self) -> None:
        self._update_enabled()
        self.settings_changed.emit()

    def _update_enabled(self) -> None:
        """Grey out the controls that the chosen problem and optimizer ignore."""
        problem = self.problem_combo.currentData()
        optimizer = self.optimizer_combo.currentData()
        square = self._shape[0] == self._shape[1]
        self.side_combo.setEnabled(problem in ("inverse", "pinv"))
        self._enable_item(self.side_combo, "both", problem == "inverse")
        self._enable_item(self.problem_combo, "inverse", square)
        self.svd_combo.setEnabled(problem == "svd")
        self._enable_item(self.gradient_combo, "closed-form", problem != "svd")
        self.momentum_spin.setEnabled(optimizer != "gd")
        self.weight_decay_spin.setEnabled(optimizer in ("adam", "rmsprop"))
        self.init_combo.setEnabled(problem != "svd")
        if problem == "svd":
            self._force(self.init_combo, "random")
            self._force(self.gradient_combo, "autograd")
        if problem == "pinv":
            if self.side_combo.currentData() == "both":
                self._force(self.side_combo, "left")

    @staticmethod
    def _enable_item(combo: QComboBox, value: str, enabled: bool) -> None:
        item = combo.model().item(combo.findData(value))
        if item is not None:
            item.setEnabled(enabled)

    @staticmethod
    def _force(combo: QComboBox, value: str) -> None:
        if combo.currentData() != value:
            combo.blockSignals(True)
            _select(combo, value)
            combo.blockSignals(False)
