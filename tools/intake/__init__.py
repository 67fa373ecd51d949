"""Tools of the intake agent: OCR and packets, field extraction, sensitivity and injection detection, the local classifier, summaries and PHI redaction."""
