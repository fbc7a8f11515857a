"""The report's model section: each shipped variant's G, D, loss and optimiser as its training
config (kept in the weights' sidecar) sets them, the equations of every loss term in use, and the
papers they come from.

Config fields this module has no words for are listed verbatim, so a new variant is described
correctly, if tersely, before anyone writes prose for it.
"""

from __future__ import annotations

# Display equations: LaTeX inside $$ (GitHub and the HTML typeset it; the PDF draws it with mathtext).
EQUATIONS = {
    "bce": ("Non-saturating GAN loss (Goodfellow et al. 2014; DCGAN, Radford et al. 2016), σ the logistic function:",
            r"L_D = -\mathbb{E}_x[\log\sigma(D(x))] - \mathbb{E}_z[\log(1 - \sigma(D(G(z))))],"
            r"\quad L_G = -\mathbb{E}_z[\log\sigma(D(G(z)))]"),
    "matching_aware": ("Matching-aware discriminator (GAN-CLS, Reed et al. 2016): real faces with wrong tags "
                       "ŷ ≠ y are a second kind of fake:",
                       r"L_D = -\mathbb{E}[\log\sigma(D(x, y))]"
                       r" - \frac{1}{2}\mathbb{E}[\log(1 - \sigma(D(G(z, y), y)))]"
                       r" - \frac{1}{2}\mathbb{E}[\log(1 - \sigma(D(x, \hat{y})))]"),
    "wasserstein": ("Wasserstein loss (Arjovsky et al. 2017); D is a critic with unbounded output:",
                    r"L_D = \mathbb{E}_z[D(G(z, y), y)] - \mathbb{E}_x[D(x, y)],"
                    r"\quad L_G = -\mathbb{E}_z[D(G(z, y), y)]"),
    "weight_clipping": ("Weight clipping (Arjovsky et al. 2017): after every critic step each weight is clipped "
                        "to keep the critic Lipschitz:",
                        r"w \leftarrow \mathrm{clip}(w, -c, c)"),
    "gradient_penalty": ("Gradient penalty (WGAN-GP, Gulrajani et al. 2017), added to L_D, on random points "
                         "between real and generated faces:",
                         r"\lambda\,\mathbb{E}_{\hat{x}}[(\Vert\nabla_{\hat{x}} D(\hat{x}, y)\Vert_2 - 1)^2],"
                         r"\quad \hat{x} = \alpha x + (1 - \alpha)\,G(z, y),\ \alpha \sim U[0, 1]"),
    "hinge": ("Hinge loss (Lim & Ye 2017; Miyato et al. 2018):",
              r"L_D = \mathbb{E}[\max(0, 1 - D(x, y))] + \mathbb{E}[\max(0, 1 + D(G(z, y), y))],"
              r"\quad L_G = -\mathbb{E}[D(G(z, y), y)]"),
    "relativistic": ("Relativistic pairing loss with zero-centred R1 and R2 penalties (R3GAN, Huang et al. 2024), "
                     "f the softplus:",
                     r"L_D = \mathbb{E}[f(D(G(z, y)) - D(x))] + \frac{\gamma_1}{2}\mathbb{E}[\Vert\nabla_x D(x)\Vert^2]"
                     r" + \frac{\gamma_2}{2}\mathbb{E}[\Vert\nabla D(G(z, y))\Vert^2],"
                     r"\quad L_G = \mathbb{E}[f(D(x) - D(G(z, y)))]"),
    "zero_centred": ("Zero-centred gradient penalties, added to L_D: R1 on real faces (Mescheder et al. 2018) "
                     "and R2 on generated ones:",
                     r"\frac{\gamma_1}{2}\mathbb{E}[\Vert\nabla_x D(x)\Vert^2] + \frac{\gamma_2}{2}"
                     r"\mathbb{E}[\Vert\nabla D(G(z, y))\Vert^2]"),
    "auxiliary": ("Auxiliary classifier (ACGAN, Odena et al. 2017): D's heads h and e predict the hair and eye "
                  "colour; G is paid for faces the heads read as the tags asked for:",
                  r"L_D^{aux} = \mathrm{CE}(h(x), y_h) + \mathrm{CE}(e(x), y_e),"
                  r"\quad L_G^{aux} = \mathrm{CE}(h(G(z, y)), y_h) + \mathrm{CE}(e(G(z, y)), y_e)"),
    "projection": ("Projection discriminator (Miyato & Koyama 2018): the tags enter as an inner product with "
                   "D's features φ averaged over space:",
                   r"D(x, y) = \psi(\phi(x)) + \langle v_h(y_h) + v_e(y_e),\ \bar{\phi}(x)\rangle"),
    "spectral_norm": ("Spectral normalisation (Miyato et al. 2018): every weight of D is divided by its largest "
                      "singular value, estimated by one power iteration per step:",
                      r"W_{SN} = W / \sigma_{\max}(W)"),
    "mode_seeking": ("Mode-seeking term (MSGAN, Mao et al. 2019): two noises with the same tags must give faces "
                     "that differ in proportion to the noises (mean absolute distances d):",
                     r"L_{ms} = \left(\frac{d(G(z_1, y), G(z_2, y))}{d(z_1, z_2)} + \epsilon\right)^{-1}"),
}

ENCODERS = {"onehot": "two one-hots (12 + 11 = 23 numbers)",
            "pair_onehot": "a one-hot over the 132 pairs through Dense(256, ReLU) (the course's encoder: a pair "
            "never seen in training has nothing learnt to draw from)",
            "embedding": "a learned 32-number vector per colour, "
            "hair and eyes side by side", "fasttext": "each colour name's fixed FastText vector through a learned "
            "linear map"}
NORMS = {"batch": "batch norm", "layer": "layer norm", "none": "no normalisation"}
D_CONDITIONING = {"none": "unconditional", "concat": "the tags tiled onto its 4 × 4 features, then a 1 × 1 "
                  "convolution (the course baseline)", "projection": "a projection of the tags onto its pooled "
                  "features"}
R3GAN_SIZES = {"architecture", "r3gan_width", "r3gan_blocks", "r3gan_group_size", "r3gan_expansion"}
KNOWN = {"generator": {"z_dim", "ngf", "condition", "embedding_dim", "conditional_batch_norm", "stem", "kernel_size"}
         | R3GAN_SIZES,
         "discriminator": {"ndf", "conditioning", "condition", "embedding_dim", "aux_heads", "spectral_norm", "norm"}
         | R3GAN_SIZES,
         "loss": {"objective", "matching_aware", "mismatch", "gradient_penalty_weight", "aux_weight", "n_critic",
                  "aux_on_generated", "mode_seeking_weight", "weight_clip", "r1_weight", "r2_weight",
                  "r_weight_final", "r_weight_decay_images"},
         "optimizer": {"kind", "lr_generator", "lr_discriminator", "betas"}}


def loss_terms(config: dict) -> list[str]:
    """Keys of EQUATIONS a training config uses, in the order they are explained."""
    loss, discriminator = config.get("loss", {}), config.get("discriminator", {})
    objective = str(loss.get("objective", "bce"))
    terms = ["relativistic" if objective.startswith("relativ") or objective.startswith("rp") else objective]
    if loss.get("matching_aware"):
        terms.append("matching_aware")
    if loss.get("weight_clip", 0) > 0:
        terms.append("weight_clipping")
    if terms[0] != "relativistic" and (loss.get("r1_weight", 0) > 0 or loss.get("r2_weight", 0) > 0):
        terms.append("zero_centred")
    if loss.get("gradient_penalty_weight", 0) > 0:
        terms.append("gradient_penalty")
    if loss.get("aux_weight", 0) > 0:
        terms.append("auxiliary")
    if discriminator.get("conditioning") == "projection":
        terms.append("projection")
    if discriminator.get("spectral_norm"):
        terms.append("spectral_norm")
    if loss.get("mode_seeking_weight", 0) > 0:
        terms.append("mode_seeking")
    return [term for term in terms if term in EQUATIONS]


def _others(section: str, values: dict) -> str:
    extra = {key: value for key, value in values.items() if key not in KNOWN[section]}
    return "; also " + ", ".join(f"`{key} = {value}`" for key, value in extra.items()) if extra else ""


def _r3gan_text(network: dict, side: str) -> str:
    width, blocks = network.get("r3gan_width", 32), network.get("r3gan_blocks", 1)
    path = "4 × 4 basis, bilinear upsampling" if side == "generator" else "bilinear downsampling to a 4 × 4 basis"
    return (f"R3GAN's residual network without normalisation: {path}, {blocks} ResNeXt block(s) per stage "
            f"(1 × 1, grouped 3 × 3 in groups of {network.get('r3gan_group_size', 16)}, 1 × 1, "
            f"{network.get('r3gan_expansion', 2)}x inverted bottleneck, leaky ReLU), {width} channels a stage, "
            f"{width // 2} at 64 × 64, fix-up initialisation")


def _generator_text(generator: dict) -> str:
    if generator.get("architecture") == "r3gan":
        condition = generator.get("condition")
        tags_text = f"; tags as {ENCODERS.get(condition, condition)}, joined to z" if condition else "; unconditional"
        return (f"z of {generator.get('z_dim', 100)} numbers through " + _r3gan_text(generator, "generator")
                + ", tanh output" + tags_text)
    ngf, kernel = generator.get("ngf", 64), generator.get("kernel_size", 4)
    first = ("a dense layer to 4 × 4 × " f"{8 * ngf}" if generator.get("stem") == "dense"
             else "a transposed 4 × 4 convolution from 1 × 1 to 4 × 4")
    text = (f"DCGAN-style generator: z of {generator.get('z_dim', 100)} numbers through {first}, then transposed "
            f"{kernel} × {kernel} convolutions up to 64 × 64 ({8 * ngf} down to {ngf} channels), batch norm and "
            "ReLU, tanh output")
    condition = generator.get("condition")
    if condition:
        text += f"; tags as {ENCODERS.get(condition, condition)}, joined to z"
        if generator.get("conditional_batch_norm"):
            text += " and setting every batch norm's gain and shift (conditional batch norm)"
    else:
        text += "; unconditional"
    return text + _others("generator", generator)


def _discriminator_text(discriminator: dict) -> str:
    if discriminator.get("architecture") == "r3gan":
        conditioning = discriminator.get("conditioning")
        text = _r3gan_text(discriminator, "discriminator") + (
            "; a projection of the tags (a hair and an eye embedding) onto its 4 × 4 basis's output"
            if conditioning == "projection" else "; unconditional")
        if discriminator.get("aux_heads"):
            text += "; hair and eye classifier heads on the flattened 4 × 4 map"
        return text
    ndf = discriminator.get("ndf", 64)
    norm = discriminator.get("norm", "batch")
    norm_text = ("no normalisation" if norm == "none"
                 else f"{NORMS.get(norm, norm)} after every convolution but the first")
    text = (f"strided 4 × 4 convolutions from 64 × 64 to 4 × 4 ({ndf} up to {8 * ndf} channels), LeakyReLU 0.2, "
            f"{norm_text}; {D_CONDITIONING.get(discriminator.get('conditioning'), discriminator.get('conditioning'))}")
    if discriminator.get("conditioning") == "concat":
        condition = discriminator.get("condition", "onehot")
        text += f", the tags read as {ENCODERS.get(condition, condition)}"
    if discriminator.get("spectral_norm"):
        text += "; spectral norm on every layer of the real/fake path"
    if discriminator.get("aux_heads"):
        text += "; hair and eye classifier heads on the flattened 4 × 4 map"
    return text + _others("discriminator", discriminator)


def _loss_text(loss: dict) -> str:
    parts = [{"bce": "non-saturating BCE", "hinge": "hinge", "wasserstein": "Wasserstein",
              "relativistic": "relativistic pairing (softplus of D(fake) − D(real))"}.get(
        loss.get("objective"), f"`{loss.get('objective')}`")]
    if loss.get("matching_aware"):
        wrong = ("one attribute changed" if loss.get("mismatch") == "one_attribute"
                 else "any other pair")
        parts.append(f"matching-aware (real faces with wrong tags, {wrong}, as fakes)")
    if loss.get("weight_clip", 0) > 0:
        parts.append(f"critic weights clipped to ±{loss['weight_clip']:g}")
    for key, name in (("r1_weight", "R1"), ("r2_weight", "R2")):
        if loss.get(key, 0) > 0:
            parts.append(f"{name} γ = {loss[key]:g}")
    if loss.get("r_weight_decay_images", 0) > 0 and (loss.get("r1_weight", 0) > 0 or loss.get("r2_weight", 0) > 0):
        parts.append(f"γ falling along a cosine to {loss.get('r_weight_final', 0):g} over "
                     f"{loss['r_weight_decay_images']:,} real images")
    if loss.get("gradient_penalty_weight", 0) > 0:
        parts.append(f"gradient penalty λ = {loss['gradient_penalty_weight']:g}")
    if loss.get("aux_weight", 0) > 0:
        where = "real and generated faces" if loss.get("aux_on_generated", True) else "real faces only"
        parts.append(f"auxiliary cross-entropy weight {loss['aux_weight']:g} (D's heads trained on {where})")
    if loss.get("mode_seeking_weight", 0) > 0:
        parts.append(f"mode seeking weight {loss['mode_seeking_weight']:g}")
    if loss.get("n_critic", 1) > 1:
        parts.append(f"{loss['n_critic']} D steps per G step")
    return ", ".join(parts) + _others("loss", loss)


def _optimiser_text(config: dict) -> str:
    optimizer = config.get("optimizer", {})
    betas = optimizer.get("betas", [0.5, 0.999])
    kind = "RMSProp" if optimizer.get("kind") == "rmsprop" else f"Adam with β = ({betas[0]:g}, {betas[1]:g})"
    text = (f"{kind}, learning rates {optimizer.get('lr_generator', 2e-4):g} (G) and "
            f"{optimizer.get('lr_discriminator', 2e-4):g} (D); batch "
            f"{config.get('batch_size', 64)}; EMA of G with decay {config.get('ema_decay', 0.999):g}")
    if config.get("data", {}).get("balanced_sampling"):
        text += "; tag pairs drawn uniformly"
    return text + _others("optimizer", optimizer)


def models_section(sidecars: dict[str, dict], parameter_counts: dict[str, int]) -> list[str]:
    """`sidecars`: each shipped generator's sidecar (with `training_config`); `parameter_counts`: G's size."""
    lines = ["## The models", "",
             "Every variant runs in one training loop (`hw3/train/loop.py`) and differs only in its networks and "
             "its loss object (`hw3/losses/gan_loss.py`). What each shipped generator was trained with, read from "
             "the training config stored beside its weights (the config files in `configs/` hold the same values):",
             ""]
    used = []
    for name, sidecar in sidecars.items():
        config = sidecar.get("training_config", {})
        lines += [f"**{name}** (`configs/{name}.toml`; {parameter_counts.get(name, 0):,} parameters in G)", "",
                  f"- G: {_generator_text(config.get('generator', {}))}.",
                  f"- D: {_discriminator_text(config.get('discriminator', {}))}.",
                  f"- Loss: {_loss_text(config.get('loss', {}))}.",
                  f"- Training: {_optimiser_text(config)}.", ""]
        used += [term for term in loss_terms(config) if term not in used]
    lines += ["### The loss terms in use", "",
              "x a real face, y = (y_h, y_e) its hair and eye tags, z ~ N(0, I), expectations over the batch.", ""]
    for term in used:
        text, latex = EQUATIONS[term]
        lines += [text, "", f"$${latex}$$", ""]
    return lines
