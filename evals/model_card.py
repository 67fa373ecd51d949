"""Model cards carrying the ONC HTI-1 source attributes for predictive decision support interventions.

The attribute list follows 45 CFR 170.315(b)(11)(iv)(B). A suite fills each one with text, or with
`NotApplicable(reason)`; an attribute left out is printed as NOT PROVIDED and listed by
`missing_attributes`, so a gap is visible rather than silently skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

# (section, key, the attribute as the rule words it)
HTI1_SOURCE_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("Details and output of the intervention", "developer", "Name and contact information for the intervention developer"),
    ("Details and output of the intervention", "funding", "Funding source of the intervention's development"),
    ("Details and output of the intervention", "output", "Description of the value that the intervention produces as an output"),
    ("Details and output of the intervention", "output_type", "Whether the output is a prediction, classification, recommendation, evaluation, analysis or other"),
    ("Purpose of the intervention", "intended_use", "Intended use of the intervention"),
    ("Purpose of the intervention", "intended_population", "Intended patient population(s)"),
    ("Purpose of the intervention", "intended_users", "Intended user(s)"),
    ("Purpose of the intervention", "decision_role", "Intended decision-making role (informs, augments, replaces)"),
    ("Cautioned out-of-scope use", "out_of_scope", "Tasks, situations or populations where users are cautioned against applying it"),
    ("Cautioned out-of-scope use", "known_risks", "Known risks, inappropriate settings, inappropriate uses or known limitations"),
    ("Intervention development details and input features", "inclusion_exclusion", "Exclusion and inclusion criteria that influenced the training data set"),
    ("Intervention development details and input features", "inputs", "Input features, and use of race, ethnicity, language, sexual orientation, gender identity, sex, date of birth, social determinants of health or health status as inputs"),
    ("Intervention development details and input features", "training_data", "Training data and its dates"),
    ("Intervention development details and input features", "representativeness", "Demographic representativeness of the training data"),
    ("Intervention development details and input features", "relevance", "Relevance of the training data to the intended deployed setting"),
    ("Process used to ensure fairness in development", "fairness_approach", "Approach taken to ensure the output is fair"),
    ("Process used to ensure fairness in development", "bias_management", "Approaches to manage, reduce or eliminate bias"),
    ("External validation process", "external_source", "Data source, clinical setting or environment of external validation"),
    ("External validation process", "external_party", "Party that conducted the external testing"),
    ("External validation process", "external_representativeness", "Demographic representativeness of the external data"),
    ("External validation process", "external_process", "Description of the external validation process"),
    ("Quantitative measures of performance", "validity_internal", "Validity in test data from the same source as the training data"),
    ("Quantitative measures of performance", "fairness_internal", "Fairness in test data from the same source as the training data"),
    ("Quantitative measures of performance", "validity_external", "Validity in data external to the training source"),
    ("Quantitative measures of performance", "fairness_external", "Fairness in data external to the training source"),
    ("Quantitative measures of performance", "outcome_references", "References to evaluations of the intervention's effect on outcomes"),
    ("Ongoing maintenance of implementation and use", "update_schedule", "Update and continued validation or fairness assessment schedule"),
    ("Ongoing maintenance of implementation and use", "validity_local", "Validity in local data"),
    ("Ongoing maintenance of implementation and use", "fairness_local", "Fairness in local data"),
    ("Ongoing maintenance of implementation and use", "monitoring", "Monitoring plan in use (drift, calibration, review outcomes)"),
)  # fmt: skip


@dataclass(frozen=True)
class NotApplicable:
    """An attribute that does not apply, with the reason why."""

    reason: str


def missing_attributes(attributes: dict[str, str | NotApplicable]) -> list[str]:
    """Keys of the HTI-1 attributes that are neither filled nor marked not applicable."""
    return [
        key
        for _, key, _ in HTI1_SOURCE_ATTRIBUTES
        if key not in attributes
        or (isinstance(attributes[key], str) and not attributes[key].strip())
        or (isinstance(attributes[key], NotApplicable) and not attributes[key].reason.strip())
    ]


def render_model_card(
    *,
    title: str,
    model_version: str,
    attributes: dict[str, str | NotApplicable],
    headline: dict[str, float | None] | None = None,
    gates: list[dict] | None = None,
    extra_sections: dict[str, str] | None = None,
) -> str:
    """Markdown model card: the headline figures, gates, then every HTI-1 source attribute in order."""
    lines = [f"# Model card: {title}", "", f"Model version: `{model_version}`", ""]
    if headline:
        lines += ["## Figures from this run", "", "| figure | value |", "|---|---|"]
        for name, value in headline.items():
            lines.append(f"| {name} | {_fmt(value)} |")
        lines.append("")
    if gates:
        lines += ["## Gates", "", "| gate | value | needs | passed |", "|---|---|---|---|"]
        for gate in gates:
            lines.append(
                f"| {gate['name']} | {_fmt(gate['value'])} | {gate['direction']} {gate['threshold']} | "
                f"{'yes' if gate['passed'] else '**NO**'} |"
            )
        lines.append("")
    lines += ["## ONC HTI-1 source attributes (45 CFR 170.315(b)(11)(iv)(B))", ""]
    section = None
    for heading, key, wording in HTI1_SOURCE_ATTRIBUTES:
        if heading != section:
            lines += [f"### {heading}", ""]
            section = heading
        value = attributes.get(key)
        if isinstance(value, NotApplicable):
            text = f"Not applicable: {value.reason}"
        elif isinstance(value, str) and value.strip():
            text = value.strip()
        else:
            text = "**NOT PROVIDED**"
        lines += [f"**{wording}.** {text}", ""]
    for heading, body in (extra_sections or {}).items():
        lines += [f"## {heading}", "", body.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
