"""The trained sentiment model: MiniLM-L6 with fine-tuned top layers, a
hashed n-gram linear model and VADER, combined by a small stacker.
Trained by ``hubbub train sentiment`` (``hubbub.enrich.training``)."""
