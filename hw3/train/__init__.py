"""The one training loop shared by every GAN variant, with its config, EMA and checkpoints."""
