"""Reports: one function per figure (DataFrame in, matplotlib Figure out) and the HTML reports.

    eda_report(frame, out_dir, *, label="genre", dataset_name="") -> Path
    model_report(model, frame, out_dir, *, dataset_name="", dataset_sha256="") -> Path
"""

from genrelens.core.reports.html import eda_report, model_report

__all__ = ["eda_report", "model_report"]
