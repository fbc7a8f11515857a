"""The study's per-variant paragraphs: what each run cost, what it reached, and why, as measured.

A variant counts as trained at the study's budget when its run was configured for at least
`STUDY_BUDGET` real images through D and recorded its budget (its best step may come earlier);
the others are named as shorter runs, so a reader never takes a budget's verdict for a method's.
"""

from __future__ import annotations

from hw3.formatting import percent
from hw3.report.comparison import stop_kind

STUDY_BUDGET = 400_000  # real images through D (configs/*.toml)

# What the measurements of each variant's study run showed; a variant without a note gets its
# numbers only.
VARIANT_NOTES = {
    "dcgan": "Batch norm in D with the non-saturating loss: FID (evaluator features, in-training sample) fell to "
             "about 72 by 128,000 images and then wandered between 71 and 86 for the rest of the budget; the "
             "faces are recognisable but their colour mix and speckled backgrounds stay off.",
    "wgan_gp": "Five critic steps of the projection critic with the gradient penalty per generator step, so 1,250 "
               "generator updates in the budget: FID (in-training sample) fell from 170 to 49 by 288,000 images "
               "and then flattened, while both-tags accuracy never passed 10 % on seen pairs: hair follows the "
               "tags (95.2 % on the 10,000 faces) but eye colour stays at chance (8.9 %, against 1 in 11). With no "
               "classifier term, the tags reach G only through the critic's projection, which the large hair "
               "region dominates; 1,250 generator updates were not enough for the few iris pixels.",
    "acgan": "Hinge loss on a spectrally normalised projection D with hair and eye heads, mode seeking, tag "
             "pairs drawn uniformly: FID (in-training sample) fell at every evaluation, from 32.7 at 32,000 "
             "images to 1.92 at 400,000, and held-out-pair accuracy rose from 21 % to 86 %, flat over the last "
             "three evaluations. The heads on D's 4 x 4 map are what teach G eye colour; the held-out pairs, "
             "drawn from colours seen only in other pairings, are what is left to gain.",
    "wgan_clip": "The WGAN of Arjovsky et al.: every critic weight, the projection embeddings included, clamped to "
                 "±0.01 after each of five critic steps, RMSProp at 5e-5. FID (in-training sample) fell from 176 to "
                 "56 by 256,000 images and then drifted up to 60, while both-tags accuracy stayed at chance (0.1–1.4 % "
                 "on seen pairs, against 1 in 132); on the 10,000 faces the evaluator reads the asked hair on 13 % and "
                 "the asked eyes on 13 % (chance: 8 % and 9 %). Clipped weights leave the critic's tag projection too "
                 "small a range to matter, so G learnt faces and ignored the tags; with no evaluation at 95 % seen "
                 "accuracy, the rule took the one with the highest (160,000 images, 1.4 %).",
    "cgan_course": "The course slides' design: a one-hot over the 132 pairs through Dense(256, ReLU), a dense stem "
                   "and 5 × 5 kernels in G, the pair embedding tiled onto D's 4 × 4 map, and the matching-aware loss "
                   "with wrong tags drawn from any other pair. FID (in-training sample) fell from 137 to 55 over the "
                   "budget, but both-tags accuracy on seen pairs reached 9 % by 160,000 images and stayed there, and "
                   "held-out pairs stayed at 0–0.8 %: a pair the one-hot never saw keeps its untrained row of the "
                   "first Dense layer, so G has nothing learnt to draw it from. With no evaluation at 95 %, the rule "
                   "took the highest seen accuracy (256,000 images, 8.9 %).",
    "cgan": "One-hot hair and eye tags (12 + 11) joined to z and to every batch norm's gain and shift, the tags tiled "
            "onto D's 4 × 4 map, and wrong tags that change one attribute at a time. Trained to the stopping rule: "
            "at 384,000 images FID (in-training sample) was 24.3 and both tags right on 50 % of seen and 23 % of "
            "held-out pairs; by 640,000 images 4.8, 91 % and 82 %; by 896,000 images 1.3, 99.0 % and 94 %; the best "
            "evaluation came at 1,376,000 images (FID 0.89, 99.2 % and 97.5 %), and the rule stopped the run at "
            "1,728,000, the last quarter having improved neither FID by 5 % nor either accuracy by a point. So the "
            "matching-aware loss does teach eye colour, about twice as slowly as ACGAN's classifier heads (acgan "
            "passed 96 % seen by 400,000 images); separate hair and eye codes make the held-out pairs drawable, "
            "and wrong tags that keep the hair make D read the eyes.",
    "r3gan": "R3GAN's loss (relativistic pairing with zero-centred R1 and R2, γ = 0.1, Adam β1 = 0) on this "
             "repository's DCGAN networks, with a projection critic without normalisation: the run the ablations "
             "call r3gan_loss_only. The paper's residual G and D (hw3/models/r3gan.py, now configs/r3gan.toml) "
             "are built and tested but not yet trained to the stopping rule, so these weights and numbers are "
             "the loss alone. FID (in-training sample) fell from 57 to 31 by 256,000 images and then "
             "stayed between 35 and 38; both-tags accuracy on seen pairs rose to 39 % by the end of the budget, "
             "while held-out pairs swung between 0 and 24 % from one evaluation to the next. On the 10,000 faces each "
             "pair has collapsed to a few faces: within-pair diversity 0.15 of real and recall 0 %. The penalties "
             "kept the unnormalised critic stable, but with no classifier heads the tags reach G only through the "
             "projection, eye colour came slowly, as for wgan_gp, and nothing in this loss (unlike acgan's mode "
             "seeking) pushed against collapse within a pair.",
    "dcgan_sn": "The same generator against a spectrally normalised D with the hinge loss and Adam β1 = 0 (the "
                "conditional runs' D recipe): FID kept falling through the whole budget instead of stalling, so "
                "D's normalisation, not the generator, held the DCGAN back.",
}


def _planned_images(sidecar: dict) -> int:
    """Real images through D the run was configured for; its best step may come earlier."""
    config = sidecar.get("training_config") or {}
    if not sidecar.get("budget") or not config:
        return 0  # trained before budgets were recorded
    n_critic = (config.get("loss") or {}).get("n_critic", 1)
    return int(config.get("num_steps", 0)) * int(config.get("batch_size", 0)) * int(n_critic) * int(
        sidecar["budget"].get("world_size", 1))


# How the runs in the study ended, in the order a reader weighs them (hw3.report.comparison.stop_kind).
STOP_GROUPS = (("plateau", "Stopped by the rule"), ("cap", "Stopped at the cap"),
               ("time limit", "Stopped by a time limit before the rule applied"),
               ("mid-run", "Exported mid-run, the run going on to the rule"),
               ("num_steps", "Stopped at the step count of their config"),
               ("before the rule", "Trained to a fixed budget before the rule existed, so their verdicts are on "
                                   "that budget, not on the method"))


def _stop_groups(sidecars: dict[str, dict]) -> list[str]:
    kinds = {name: stop_kind(sidecar) for name, sidecar in sidecars.items()}
    words = dict(STOP_GROUPS)
    # The known kinds in the reader's order, then any other reason a sidecar records, as it comes.
    order = [*words, *dict.fromkeys(kind for kind in kinds.values() if kind not in words)]
    sentences = []
    for kind in order:
        names = [name for name in sidecars if kinds[name] == kind]
        if names:
            sentences.append(f"{words.get(kind, f'Stopped ({kind})')}: {', '.join(names)}.")
    return sentences


def study_section(results: dict[str, dict], sidecars: dict[str, dict], conditional: dict[str, bool]) -> list[str]:
    at_budget = [name for name in sidecars if _planned_images(sidecars[name]) >= STUDY_BUDGET]
    shorter = [name for name in sidecars if name not in at_budget]
    lines = ["### Each variant", ""]
    lines.append(f"The study's common budget is {STUDY_BUDGET:,} real images through D (`make study`, one CPU "
                 "thread each); past it every run goes on under one stopping rule (`hw3/train/stopping.py`): it "
                 "stops at the first evaluation where the last quarter of its images lowered its best FID by under "
                 "5 % and raised each both-tags accuracy by under one point, or at the cap of 3,200,000. "
                 + " ".join(_stop_groups({name: sidecars[name] for name in at_budget}))
                 + (f" Still {'a shorter earlier run' if len(shorter) == 1 else 'shorter earlier runs'}, not yet "
                    f"retrained at the common budget: {', '.join(shorter)}; "
                    f"{'its row ranks' if len(shorter) == 1 else 'their rows rank'} runs, not methods." if shorter else ""))
    lines.append("")
    for name in at_budget:
        result, sidecar = results.get(name, {}), sidecars[name]
        evaluation = sidecar.get("evaluation") or {}
        numbers = (f"best step {sidecar.get('step'):,} of {sidecar['training_config']['num_steps']:,} "
                   f"by the evaluation rule; FID (evaluator features) {result.get('fid', float('nan')):.2f} "
                   f"({result.get('num_compared', 0):,} of {result.get('num_generated', 0):,} faces against "
                   f"{result.get('num_reference', 0):,} real)")
        if conditional.get(name):
            accuracy = result.get("tag_accuracy") or {}
            numbers += (f", both tags right on {percent((accuracy.get('seen') or {}).get('both'))} of seen-pair "
                        f"and {percent((accuracy.get('held_out') or {}).get('both'))} of held-out-pair faces")
        elif evaluation:
            numbers += " (against the training split's colour mix)"
        lines += [f"- **{name}**: {numbers}. {VARIANT_NOTES.get(name, '')}".rstrip(), ""]
    return lines
