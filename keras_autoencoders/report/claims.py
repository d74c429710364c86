"""The articles' claims, each checked with a number from a committed run (README, the claims table).

Each :class:`Claim` names the article section that makes it ("(ours)" when no article does), the
committed figure that shows it, the committed run folder under ``figs/`` that measured it, how to
read its numbers from that folder's files (``results.json``, ``scores.json``), and its :class:`Rule`:
the "yes" and "partly" conditions on those numbers, fixed before the numbers. The table's rule
column is the rule printed, so column and verdict cannot drift apart.
``python -m keras_autoencoders report --claims README.md`` rewrites the README's marked section;
:func:`check_readme` says where the README and the committed runs disagree (a test runs it).

Verdicts: ``yes`` when every "yes" condition holds, else ``partly`` when every "partly" condition
does, else ``no``. Rows whose numbers came after the rule was first written are judged on a new
draw (``draw-seed-1/`` beside the run: the same models, samples drawn with seed 1); both numbers show.
"""
from __future__ import annotations

import operator
import pathlib
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from keras_autoencoders.records.part4 import Part4Results
from keras_autoencoders.report.run_record import RunFolderError, RunRecord, read_run

BEGIN = "<!-- claims table: written by `python -m keras_autoencoders report --claims README.md`; do not edit -->"
END = "<!-- end of claims table -->"

BEGIN = "<!-- claims table: written by `python -m keras_autoencoders report --claims README.md`; do not edit -->"
END = "<!-- end of claims table -->"
REDRAW = "draw-seed-1"  # a run's samples drawn again with seed 1 from the same models

Values = dict[str, float]
Measured = tuple[str, Values]  # (the numbers in words, the numbers the rule reads)
_OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}


def fmt(value: float) -> str:
    """Three significant digits: the table is read beside pictures, not recomputed from it."""
    return f"{value:.3g}"


@dataclass(frozen=True)
class Condition:
    """``quantity op bound``, ``quantity`` naming one of the numbers a claim's measure returns."""
    quantity: str
    op: str
    bound: float

    def holds(self, values: Values) -> bool:
        return _OPERATORS[self.op](values[self.quantity], self.bound)

    def __str__(self) -> str:
        return f"{self.quantity} {self.op} {self.bound:g}"


def conditions(*triples: tuple[str, str, float]) -> tuple[Condition, ...]:
    return tuple(Condition(*triple) for triple in triples)


@dataclass(frozen=True)
class Rule:
    """A claim's verdict: ``yes`` when every ``yes`` condition holds, else ``partly`` when every ``partly``
    one does (none: never), else ``no``. ``str(rule)`` is the table's rule column."""
    yes: tuple[Condition, ...]
    partly: tuple[Condition, ...] = ()

    def verdict(self, values: Values) -> str:
        if all(c.holds(values) for c in self.yes):
            return "yes"
        return "partly" if self.partly and all(c.holds(values) for c in self.partly) else "no"

    @property
    def quantities(self) -> set[str]:
        return {c.quantity for c in (*self.yes, *self.partly)}

    def __str__(self) -> str:
        return (f"yes: {' and '.join(map(str, self.yes))}; partly: "
                + (" and ".join(map(str, self.partly)) if self.partly else "never"))


def rule(yes: Sequence[tuple[str, str, float]], partly: Sequence[tuple[str, str, float]] = ()) -> Rule:
    return Rule(conditions(*yes), conditions(*partly))


@dataclass(frozen=True)
class Claim:
    text: str
    article: str  # "(ours)" for a claim no article makes
    figure: str  # path under the repository root
    run: str  # run folder under the repository root
    rule: Rule
    measure: Callable[[RunRecord], Measured]
    also_reads: tuple[str, ...] = ()  # other run folders the measure reads (a long run's siblings)


def _generator(record: RunRecord, name: str = "samples") -> dict:
    if not record.scores:
        raise KeyError("scores.json")
    return record.scores["generators"][name]


def _sibling(record: RunRecord, name: str) -> RunRecord:
    return read_run(record.folder.parent / name)


def redrawn(measure: Callable[[RunRecord], Measured]) -> Callable[[RunRecord], Measured]:
    """``measure`` of the run and of its new draw (:data:`REDRAW`): both in words, the verdict on the new draw."""
    def both(record: RunRecord) -> Measured:
        first, _ = measure(record)
        again, values = measure(read_run(record.folder / REDRAW))
        return f"first draw (seed 0): {first}; new draw (seed 1): {again}", values
    return both


LABEL_RULE = rule([("label accuracy", ">=", 0.8)], [("label accuracy", ">=", 0.5)])


def _label_accuracy(record: RunRecord) -> Measured:
    accuracy = _generator(record)["conditional"]["label_accuracy"]
    return f"{fmt(accuracy)} of 10,000 digits from N(0, I) read as their label", {"label accuracy": accuracy}


def _transfer_r(record: RunRecord) -> tuple[float, float]:
    style = Part4Results.from_results(record.results).digits["style"]["transfer"]
    return style["slant"], style["width"]


def _style(record: RunRecord) -> Measured:
    accuracy = _generator(record)["style"]["accuracy"]
    slant, width = _transfer_r(record)
    return (f"{fmt(accuracy)} of the transferred 7s read as the target digit; slant / stroke width r over every "
            f"test 7 drawn as each digit {fmt(slant)} / {fmt(width)}",
            {"read as target": accuracy, "slant r": slant, "width r": width})


def _larger_z(record: RunRecord) -> Measured:
    """The run at latent 8 (``record``) against its sibling at latent 2, trained as long."""
    small = _sibling(record, record.folder.name.replace("latent-8", "latent-2"))
    if small.settings["epochs"] != record.settings["epochs"]:
        raise KeyError(f"runs of equal length ({small.settings['epochs']} vs {record.settings['epochs']} epochs)")
    numbers = {z: (*_transfer_r(run), _generator(run)["conditional"]["relative_sharpness"])
               for z, run in ((2, small), (8, record))}
    higher = sum(big > low for big, low in zip(numbers[8], numbers[2]))
    words = "; ".join(f"latent {z}: transfer slant r {fmt(a)}, width r {fmt(b)}, sharpness {fmt(c)}"
                      for z, (a, b, c) in numbers.items())
    return f"after {record.settings['epochs']} epochs each, {words}", {"of slant r, width r, sharpness, those higher at latent 8": higher}


def _z_by_label(record: RunRecord) -> Measured:
    kl = record.results["digits"]["z_kl_by_label"]
    per_dimension = max(kl) / record.settings["latent_dim"]
    return (f"KL(fitted Gaussian of a label's test z_mean, N(0, I)): {fmt(min(kl))} to {fmt(max(kl))} nats over the "
            f"ten labels, at most {fmt(per_dimension)} per dimension", {"worst label's KL per dimension": per_dimension})


def _toy(record: RunRecord) -> Measured:
    toy = record.results["toy_manifold"]
    conditional = toy["conditional_deep_ae"]["mean_distance_to_own_curve"]
    plain = toy["deep_ae"]["mean_distance_to_nearest_curve"]
    return (f"mean distance of an output to its own curve {fmt(conditional)}, against {fmt(plain)} to the nearest "
            f"curve for the plain deep AE", {"distance over the plain AE's": conditional / plain})


def _sharper(record: RunRecord) -> Measured:
    """Sharpness of the digits from N(0, I) over real digits' (``results.json``, ``comparison``), the
    CVAE+GAN's against the CVAE's trained as long: a ratio, whichever real digits it is over."""
    comparison = record.results["comparison"]
    gan, cvae = comparison["cvae_gan"]["relative_sharpness"], comparison["cvae"]["relative_sharpness"]
    return (f"after {comparison['cvae_gan']['iterations']:,} iterations, sharpness over real digits: CVAE+GAN "
            f"{fmt(gan)}, CVAE {fmt(cvae)}", {"sharpness over the CVAE's": gan / cvae})


def _styled_as_the_cvae(kind: str) -> Callable[[RunRecord], Measured]:
    """Part 6's headline (the article's last figures): the CVAE+GAN carries the input's style into ``kind``
    ("transfer" or "reconstruction") as the CVAE trained as long does, and its digits stay sharp."""
    def measure(record: RunRecord) -> Measured:
        comparison = record.results["comparison"]
        gan, cvae = comparison["cvae_gan"], comparison["cvae"]
        r = {m: (gan["style"][kind][m], cvae["style"][kind][m]) for m in ("slant", "width")}
        sharp = gan["relative_sharpness"]
        words = {"transfer": "style transfer", "reconstruction": "reconstructions"}[kind]
        return (f"after {gan['iterations']:,} iterations, {words}: CVAE+GAN slant / width r "
                f"{fmt(r['slant'][0])} / {fmt(r['width'][0])}, CVAE {fmt(r['slant'][1])} / {fmt(r['width'][1])}; "
                f"sharpness {fmt(sharp)} (CVAE {fmt(cvae['relative_sharpness'])})",
                {"slant r minus the CVAE's": r["slant"][0] - r["slant"][1],
                 "width r minus the CVAE's": r["width"][0] - r["width"][1], "sharpness": sharp,
                 "lower r": min(r["slant"][0], r["width"][0]),
                 "sharpness over the CVAE's": sharp / cvae["relative_sharpness"]})
    return measure


SHARPER_RULE = rule([("sharpness over the CVAE's", ">", 1.2)], [("sharpness over the CVAE's", ">", 1.0)])
STYLED_RULE = rule([("slant r minus the CVAE's", ">=", -0.05), ("width r minus the CVAE's", ">=", -0.05),
                    ("sharpness", ">=", 0.9)], [("lower r", ">=", 0.7), ("sharpness over the CVAE's", ">", 1.0)])


def _article_preset_as_corrected(record: RunRecord) -> Measured:
    """The article preset's run against the corrected preset's of the same length (a sibling folder)."""
    article = record.results["comparison"]["cvae_gan"]
    fixed = _sibling(record, record.folder.name.replace("article", "corrected")).results["comparison"]["cvae_gan"]
    if article["iterations"] != fixed["iterations"]:
        raise KeyError(f"runs of equal length ({article['iterations']} vs {fixed['iterations']} iterations)")
    keys = ("label_accuracy", "relative_sharpness", "within_label_variety")
    words = ", ".join(f"{k.replace('_', ' ')} {fmt(article[k])} vs {fmt(fixed[k])}" for k in keys)
    transfer = [article["style"]["transfer"][m] - fixed["style"]["transfer"][m] for m in ("slant", "width")]
    return (f"after {article['iterations']:,} iterations each, article vs corrected preset: {words}; transfer "
            f"slant / width r {fmt(article['style']['transfer']['slant'])} / {fmt(article['style']['transfer']['width'])}"
            f" vs {fmt(fixed['style']['transfer']['slant'])} / {fmt(fixed['style']['transfer']['width'])}",
            {"label accuracy, article minus corrected": article["label_accuracy"] - fixed["label_accuracy"],
             "sharpness, article minus corrected": article["relative_sharpness"] - fixed["relative_sharpness"],
             "variety, article over corrected": article["within_label_variety"] / fixed["within_label_variety"],
             "lower transfer r, article minus corrected": min(transfer),
             "article's label accuracy": article["label_accuracy"]})


def _full_schedule(record: RunRecord) -> Measured:
    drawn, real = _generator(record)["conditional"], record.scores["real_test_digits"]
    values = {"label accuracy": drawn["label_accuracy"], "sharpness over real": drawn["relative_sharpness"],
              "variety over real": drawn["within_label_variety"] / real["within_label_variety"]}
    return (f"after {record.settings['iterations']:,} iterations ({record.settings['precision']}): "
            + ", ".join(f"{k} {fmt(v)}" for k, v in values.items()), values)


GAMMAS = (0.1, 1.0, 10.0)


def _gamma(record: RunRecord) -> Measured:
    """The gamma-1 run (``record``) beside its siblings at gamma 0.1 and 10 (``NAME-gamma-G``), equally long."""
    runs = {g: record if g == 1.0 else _sibling(record, f"{record.folder.name}-gamma-{g:g}") for g in GAMMAS}
    if len({run.settings["iterations"] for run in runs.values()}) != 1:
        raise KeyError("runs of equal length")
    numbers = {name: [pick(_generator(run)) for run in runs.values()] for name, pick in (
        ("reconstruction MSE", lambda g: g["reconstruction"]["mse"]),
        ("sharpness", lambda g: g["conditional"]["relative_sharpness"]))}
    changes = {name: max(abs(v / low[1] - 1) for v in low) for name, low in numbers.items()}
    moved = [low for name, low in numbers.items() if changes[name] >= 0.1]
    monotone = any(low[0] <= low[1] <= low[2] or low[0] >= low[1] >= low[2] for low in moved)
    words = "; ".join(f"{name} at gamma 0.1 / 1 / 10: {' / '.join(fmt(v) for v in low)}"
                      for name, low in numbers.items())
    return (f"after {record.settings['iterations']:,} iterations each, {words}",
            {"largest change from gamma 1": max(changes.values()), "monotone in gamma": float(monotone)})


def _cross_entropy(record: RunRecord) -> Measured:
    """The cross-entropy run (``record``) beside its sibling on MSE (``NAME-mse``), equally long."""
    mse = _sibling(record, f"{record.folder.name}-mse")
    if mse.settings["iterations"] != record.settings["iterations"]:
        raise KeyError("runs of equal length")
    ce, other = (_generator(run)["conditional"] for run in (record, mse))
    return (f"after {record.settings['iterations']:,} iterations each, cross-entropy vs MSE on l: Fréchet distance "
            f"{fmt(ce['frechet_distance'])} vs {fmt(other['frechet_distance'])}, label accuracy "
            f"{fmt(ce['label_accuracy'])} vs {fmt(other['label_accuracy'])}",
            {"Fréchet distance, CE minus MSE": ce["frechet_distance"] - other["frechet_distance"],
             "label accuracy, CE minus MSE": ce["label_accuracy"] - other["label_accuracy"]})


def _vae_codes(record: RunRecord) -> Measured:
    space = record.results["code_space"]
    vae, ae = space["vae"]["kl_to_standard_normal"], space["autoencoder"]["kl_to_standard_normal"]
    return (f"KL(fitted Gaussian of the 2-d test codes, N(0, I)): VAE {fmt(vae)}, plain AE {fmt(ae)}",
            {"VAE's KL": vae, "AE's KL over the VAE's": ae / vae})


def _denoising(record: RunRecord) -> Measured:
    d = record.results["denoising"]
    gain = d["psnr_denoised_db"] - d["psnr_noisy_db"]
    return (f"PSNR {fmt(d['psnr_noisy_db'])} dB noisy -> {fmt(d['psnr_denoised_db'])} dB denoised (+{fmt(gain)} dB)",
            {"PSNR gain in dB": gain})


def _ae_vs_pca(record: RunRecord) -> Measured:
    ratios = {size: row["ae_test_mse"] / row["pca_test_mse"] for size, row in record.results["compression"].items()}
    return ("AE / PCA test MSE: " + ", ".join(f"{size}-d {fmt(r)}" for size, r in ratios.items()),
            {"largest AE / PCA MSE": max(ratios.values()), "smallest AE / PCA MSE": min(ratios.values())})


def _anomaly(record: RunRecord) -> Measured:
    auroc = record.results["anomaly_auroc"]
    fashion = auroc.get("mnist_vs_fashion_mnist")
    if fashion is None:
        raise KeyError("anomaly_auroc.mnist_vs_fashion_mnist")
    return (f"AUROC MNIST vs Fashion-MNIST {fashion:.4f}, vs noise {auroc['mnist_vs_noise']:.4f}",
            {"AUROC vs Fashion-MNIST": fashion})


def _vae_draws(record: RunRecord) -> Measured:
    drawn = _generator(record, "vae_5")["unconditional"]
    real = record.scores["real_test_digits"]["confident_fraction"]
    share = drawn["confident_fraction"]
    return (f"{fmt(share)} of 1,000 digits from the 5-d VAE's N(0, I) read confidently (real test digits: "
            f"{fmt(real)}); Fréchet distance {fmt(drawn['frechet_distance'])}",
            {"confident share over real digits'": share / real})


def _conv_good_digits(record: RunRecord) -> Measured:
    """Of the conv VAE's digits the judge reads as 9, 8 and 7, the share read confidently, over the share of the
    test digits it reads as that digit (both from ``scores.json``)."""
    drawn = _generator(record, "conv_vae")["unconditional"]["by_digit"]
    real = record.scores["real_test_digits"]["by_digit"]
    ratios = {d: drawn[d]["confident_fraction"] / real[d]["confident_fraction"] for d in ("9", "8", "7")}
    return ("confident share of the digits read as 9 / 8 / 7, conv VAE vs real test digits: " + ", ".join(
        f"{d} {fmt(drawn[d]['confident_fraction'])} vs {fmt(real[d]['confident_fraction'])}" for d in ratios),
        {"lowest of 9, 8, 7: confident share over real's": min(ratios.values())})


def _conv_cluster(record: RunRecord) -> Measured:
    knn = record.results["conv_vae"]["knn_accuracy"]
    return f"5-NN accuracy of the 2-d test codes (z_mean) against the training codes {fmt(knn)}", {"5-NN accuracy": knn}


def _fives_and_sevens(record: RunRecord) -> Measured:
    """Read by the digit judge of ``scores.json``, as every digit row is."""
    five, seven = (_generator(record)["conditional"]["per_label"][digit] for digit in (5, 7))
    return (f"of 1,000 digits from N(0, I) each, {fmt(five)} read as 5 and {fmt(seven)} as 7",
            {"lower of read as 5, read as 7": min(five, seven)})


def _conv_reconstructions(record: RunRecord) -> Measured:
    rebuilt = _generator(record, "conv_vae")["reconstruction"]
    return (f"{fmt(rebuilt['accuracy'])} of the first 1,000 test digits' reconstructions read as the input's digit; "
            f"MSE {fmt(rebuilt['mse'])}", {"read as the input's digit": rebuilt["accuracy"]})


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def _smile_vector(record: RunRecord) -> Measured:
    steps = record.results["smile_vector"]["judged_smiling_by_step"]
    before, after = steps["0.0"], steps["1.0"]
    return (f"non-smiling faces called smiling: {fmt(before)} -> {fmt(after)} with the vector added once",
            {"smiling after": after, "after over before": _ratio(after, before)})


def _photos(record: RunRecord) -> Measured:
    photos = record.results["photos"]
    return (f"a small CNN tells {photos['faces_per_set']:,} faces from the fitted normal from as many validation faces "
            f"with accuracy {fmt(photos['samples_vs_real_accuracy'])} (reconstructions of them: "
            f"{fmt(photos['reconstructions_vs_real_accuracy'])}; 0.5: cannot tell)",
            {"two-sample accuracy": photos["samples_vs_real_accuracy"]})


def _not_copies(record: RunRecord) -> Measured:
    n = record.results["new_faces"]
    new, real = n["nearest_training_distance_new"], n["nearest_training_distance_real_validation"]
    return (f"RMS distance to the nearest training face: new faces {fmt(new)}, real unseen faces {fmt(real)}",
            {"distance over real faces'": new / real})


def _edit(name: str) -> Callable[[RunRecord], Measured]:
    def measure(record: RunRecord) -> Measured:
        rate = record.results["edit_rates"][name]
        before, after = rate["reconstruction"], rate["edited"]
        return (f"of {rate['faces']} test faces without it, {fmt(before)} -> {fmt(after)} judged to have it after "
                f"the edit", {"edited": after, "edited over reconstructed": _ratio(after, before)})
    return measure


#: The attributes the CelebA rows judge: those the judge reads well on real test faces, with enough positives.
JUDGED = conditions(("balanced accuracy", ">=", 0.8), ("positive test faces", ">=", 50))


def _judged(record: RunRecord) -> tuple[list[str], str]:
    judge = record.results["judge"]
    kept, left = [], []
    for name, balanced, positives in zip(judge["attributes"], judge["balanced_accuracy"], judge["test_positives"]):
        values = {"balanced accuracy": balanced if balanced is not None else 0.0, "positive test faces": positives}
        failed = [str(c) for c in JUDGED if not c.holds(values)]
        (left.append(f"{name} (not {', '.join(failed)}: {fmt(values['balanced accuracy'])}, {positives})")
         if failed else kept.append(name))
    return kept, "left out: " + (", ".join(left) if left else "none")


def _attribute_effects(record: RunRecord) -> Measured:
    kept, left = _judged(record)
    effects = record.results["attribute_effects"]
    return (f"judge's rate with the attribute on minus off, {effects['faces']} faces from N(0, I): "
            + ", ".join(f"{name} {fmt(effects[name]['effect'])}" for name in kept) + f"; {left}",
            {"lowest effect": min(effects[name]["effect"] for name in kept)})


def _reconstructions_keep(record: RunRecord) -> Measured:
    kept, left = _judged(record)
    agreement = record.results["reconstruction_balanced_agreement"]
    return ("balanced agreement of the judge on face and reconstruction: "
            + ", ".join(f"{name} {fmt(agreement[name])}" for name in kept) + f"; {left}",
            {"lowest balanced agreement": min(agreement[name] for name in kept)})


EDIT_RULE = rule([("edited", ">=", 0.5), ("edited over reconstructed", ">=", 3)],
                 [("edited over reconstructed", ">=", 3), ("edited", ">=", 0.2)])
P6 = "figs/part6/corrected-z8-48000"
P6_Z2 = "figs/part6/corrected-z2-12000"
CLAIMS = (
    Claim("Part 4: the CVAE draws the requested digit", "Part 4, Результаты", "figs/part4/figures/digits_from_prior.png",
          "figs/part4", LABEL_RULE, _label_accuracy),
    Claim("Part 4: style transfer keeps slant and stroke width", "Part 4, «сохранены наклон и толщина штриха»",
          "figs/part4/figures/style_transfer.png", "figs/part4",
          rule([("read as target", ">=", 0.8), ("slant r", ">=", 0.5), ("width r", ">=", 0.5)],
               [("slant r", ">=", 0.3), ("width r", ">=", 0.3)]), redrawn(_style)),
    Claim("Part 4: a larger z carries more style and blurs less", "Part 4, «увеличив размерность Z»",
          "figs/part4/latent-8-e200/figures/style_transfer.png", "figs/part4/latent-8-e200",
          rule([("of slant r, width r, sharpness, those higher at latent 8", ">=", 3)], [("of slant r, width r, sharpness, those higher at latent 8", ">=", 2)]), _larger_z),
    Claim("each label's z is close to N(0, I) (the loss's target; the article shows each label's z)", "(ours)",
          "figs/part4/figures/z_distr_all_labels.png", "figs/part4",
          rule([("worst label's KL per dimension", "<", 0.5)], [("worst label's KL per dimension", "<", 2)]),
          _z_by_label),
    Claim("Part 4: the conditional AE follows both curves of the toy manifold", "Part 4, toy example",
          "figs/part4/figures/toy_conditional_deep_ae.png", "figs/part4",
          rule([("distance over the plain AE's", "<", 0.75)], [("distance over the plain AE's", "<", 1)]), _toy),
    Claim("Part 6: CVAE+GAN digits are sharper than the CVAE's (latent 8)", "Part 6, Результаты",
          f"{P6}/figures/digits_from_prior_cvae_gan.png", P6, SHARPER_RULE, _sharper),
    Claim("Part 6: CVAE+GAN digits are sharper than the CVAE's (latent 2)", "Part 6, Результаты",
          f"{P6_Z2}/figures/digits_from_prior_cvae_gan.png", P6_Z2, SHARPER_RULE, _sharper),
    Claim("Part 6: style transfer from 7s keeps the 7s' style as the CVAE does, with sharp digits (latent 8)",
          "Part 6, Результаты", f"{P6}/figures/style_transfer_cvae_gan.png", P6, STYLED_RULE,
          _styled_as_the_cvae("transfer")),
    Claim("Part 6: the CVAE+GAN's reconstructions keep the input's style as the CVAE's do (latent 8)",
          "Part 6, Результаты", f"{P6}/figures/reconstructions.png", P6, STYLED_RULE,
          _styled_as_the_cvae("reconstruction")),
    Claim("Part 6: style transfer from 7s keeps the 7s' style as the CVAE does, with sharp digits (latent 2)",
          "Part 6, Результаты", f"{P6_Z2}/figures/style_transfer_cvae_gan.png", P6_Z2, STYLED_RULE,
          _styled_as_the_cvae("transfer")),
    Claim("Part 6: the CVAE+GAN's reconstructions keep the input's style as the CVAE's do (latent 2)",
          "Part 6, Результаты", f"{P6_Z2}/figures/reconstructions.png", P6_Z2, STYLED_RULE,
          _styled_as_the_cvae("reconstruction")),
    Claim("Part 6: the CVAE+GAN draws the requested digit", "Part 6, Результаты",
          f"{P6}/figures/digits_from_prior_cvae_gan.png", P6, LABEL_RULE, _label_accuracy),
    Claim("Part 6: the article's code, on its full schedule, \"turned out very well\" (latent 8, 48,000 iterations)",
          "Part 6, «получилось очень неплохо»", "figs/part6/article-z8-48000/figures/digits_from_prior_cvae_gan.png",
          "figs/part6/article-z8-48000",
          rule([("label accuracy", ">=", 0.8), ("sharpness over real", ">=", 0.8), ("sharpness over real", "<=", 1.25),
                ("variety over real", ">=", 0.5)], [("label accuracy", ">=", 0.5)]), _full_schedule),
    Claim("the corrected preset against the article's, equally long (latent 8)", "(ours)",
          "figs/part6/article-z8-12000/figures/digits_from_prior_cvae_gan.png", "figs/part6/article-z8-12000",
          rule([("label accuracy, article minus corrected", ">=", -0.05),
                ("sharpness, article minus corrected", ">=", -0.05), ("variety, article over corrected", ">=", 0.95),
                ("lower transfer r, article minus corrected", ">=", -0.05)], [("article's label accuracy", ">=", 0.8)]),
          _article_preset_as_corrected),
    Claim("Part 6: gamma shows no clear effect on content against style", "Part 6, «Не могу, однако, сказать, что "
          "наблюдал этот эффект»", "figs/part6/corrected-z8-6000/figures/digits_from_prior_cvae_gan.png",
          "figs/part6/corrected-z8-6000",
          rule([("largest change from gamma 1", "<", 0.1)],
               [("largest change from gamma 1", ">=", 0.1), ("monotone in gamma", "==", 0)]), _gamma,
          ("figs/part6/corrected-z8-6000-gamma-0.1", "figs/part6/corrected-z8-6000-gamma-10")),
    Claim("Part 6: cross-entropy on l is slightly better than MSE", "Part 6, «слегка лучше»",
          "figs/part6/corrected-z8-6000/figures/digits_from_prior_cvae_gan.png", "figs/part6/corrected-z8-6000",
          rule([("Fréchet distance, CE minus MSE", "<", 0), ("label accuracy, CE minus MSE", ">=", -0.01)],
               [("Fréchet distance, CE minus MSE", "<", 0)]), _cross_entropy, ("figs/part6/corrected-z8-6000-mse",)),
    Claim("the VAE's code space is continuous and close to N(0, I), the AE's is not", "slides S2.2-S2.3",
          "figs/mnist_study/figures/code_spaces_ae_vs_vae.png", "figs/mnist_study",
          rule([("VAE's KL", "<", 0.1), ("AE's KL over the VAE's", ">", 10)], [("AE's KL over the VAE's", ">", 1)]),
          _vae_codes),
    Claim("the denoising AE removes noise", "slides S2.1", "figs/mnist_study/figures/denoising.png",
          "figs/mnist_study", rule([("PSNR gain in dB", ">=", 6)], [("PSNR gain in dB", ">", 0)]), _denoising),
    Claim("an AE compresses better than PCA", "slides S2.5", "figs/mnist_study/figures/ae_vs_pca.png",
          "figs/mnist_study", rule([("largest AE / PCA MSE", "<", 1)], [("smallest AE / PCA MSE", "<", 1)]),
          _ae_vs_pca),
    Claim("reconstruction error flags digits unlike MNIST", "study, closing remark",
          "figs/mnist_study/figures/anomaly_scores.png", "figs/mnist_study",
          rule([("AUROC vs Fashion-MNIST", ">=", 0.95)], [("AUROC vs Fashion-MNIST", ">=", 0.75)]), _anomaly),
    Claim("slides: a 5-d VAE's prior samples decode with certainty", "slides S2.3, «mieć pewność, że zostanie on "
          "poprawnie odkodowany»", "figs/mnist_study/figures/vae_new_digits.png", "figs/mnist_study",
          rule([("confident share over real digits'", ">=", 0.9)], [("confident share over real digits'", ">=", 0.6)]),
          redrawn(_vae_draws)),
    Claim("the CVAE draws fives and sevens on demand", "study F0.5",
          "figs/mnist_study/figures/cvae_fives_and_sevens.png", "figs/mnist_study",
          rule([("lower of read as 5, read as 7", ">=", 0.8)], [("lower of read as 5, read as 7", ">=", 0.5)]),
          _fives_and_sevens),
    Claim("the conv VAE's reconstructions are practically no different from the inputs", "study F0.4",
          "figs/mnist_study/figures/conv_vae_reconstructions.png", "figs/mnist_study",
          rule([("read as the input's digit", ">=", 0.95)], [("read as the input's digit", ">=", 0.8)]),
          _conv_reconstructions),
    Claim("study: the conv VAE's 9s, 8s and 7s look very good", "study, «цифры девять, восемь, семь ... выглядели "
          "очень даже хорошо»", "figs/mnist_study/figures/conv_vae_digits.png", "figs/mnist_study",
          rule([("lowest of 9, 8, 7: confident share over real's", ">=", 0.9)],
               [("lowest of 9, 8, 7: confident share over real's", ">=", 0.6)]), redrawn(_conv_good_digits)),
    Claim("study: the conv VAE's 2-D codes cluster very well", "study, «очень хорошо кластеризуются»",
          "figs/mnist_study/figures/conv_vae_codes.png", "figs/mnist_study",
          rule([("5-NN accuracy", ">=", 0.9)], [("5-NN accuracy", ">=", 0.75)]), redrawn(_conv_cluster)),
    Claim("the smile vector makes faces smile", "faces study F0.3", "figs/faces/figures/smile_vector.png",
          "figs/faces", rule([("smiling after", ">=", 0.5), ("after over before", ">=", 2)],
                             [("after over before", ">", 1)]), _smile_vector),
    Claim("faces: sampled faces look like photos of real people", "faces study, «похожи на фотографии живых людей, "
          "хотя и довольно размытые»", "figs/faces/figures/new_faces_fitted_normal.png", "figs/faces",
          rule([("two-sample accuracy", "<=", 0.7)], [("two-sample accuracy", "<=", 0.9)]), redrawn(_photos)),
    Claim("faces: sampled faces are not copies", "(ours)", "figs/faces/figures/new_faces_fitted_normal.png",
          "figs/faces", rule([("distance over real faces'", ">=", 0.9)], [("distance over real faces'", ">=", 0.7)]),
          redrawn(_not_copies)),
    Claim("the CelebA CVAE adds a smile", "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_smile.png",
          "figs/celeba", EDIT_RULE, _edit("smile")),
    Claim("the CelebA CVAE adds glasses", "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_glasses.png",
          "figs/celeba", EDIT_RULE, _edit("glasses")),
    Claim("the CelebA CVAE turns a woman into a man (Male on, Heavy_Makeup and Wearing_Lipstick off)",
          "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_male.png", "figs/celeba", EDIT_RULE,
          _edit("male")),
    Claim("the CelebA CVAE turns a woman into a man (Male on, nothing else)", "CelebA CVAE, attribute edits",
          "figs/celeba/figures/edit_male_only.png", "figs/celeba", EDIT_RULE, _edit("male_only")),
    Claim("CelebA: new faces carry gender, skin colour, smile, glasses and hair colour", "CelebA CVAE, «пол, цвет "
          "кожи, улыбку, очки и цвет волос»", "figs/celeba/figures/new_faces.png", "figs/celeba",
          rule([("lowest effect", ">=", 0.5)], [("lowest effect", ">=", 0.2)]), redrawn(_attribute_effects)),
    Claim("CelebA: reconstructions keep gender, hair, smile and skin colour", "CelebA CVAE, «пол, цвет одежды, "
          "волосы, улыбка, цвет кожи»", "figs/celeba/figures/reconstructions.png", "figs/celeba",
          rule([("lowest balanced agreement", ">=", 0.85)], [("lowest balanced agreement", ">=", 0.7)]),
          redrawn(_reconstructions_keep)),
)


def measure_claim(claim: Claim, root: pathlib.Path, cache: Optional[dict] = None) -> tuple[str, str]:
    """The claim's numbers in words and its verdict, from its committed run (``not measured: ...`` and ``-``
    when the run lacks them)."""
    cache = {} if cache is None else cache
    try:
        if claim.run not in cache:
            cache[claim.run] = read_run(root / claim.run)
        words, values = claim.measure(cache[claim.run])
    except RunFolderError as err:  # named relative to the repository: the table is committed
        where = pathlib.Path(err.path).resolve().relative_to(root.resolve()) if err.path else claim.run
        return f"not measured: no readable {where}", "-"
    except KeyError as err:
        return f"not measured: {claim.run} lacks {err}", "-"
    missing = claim.rule.quantities - values.keys()
    if missing:
        raise ValueError(f"{claim.text!r}: its measure gives no {sorted(missing)}")
    return words, claim.rule.verdict(values)

def claims_table(root: str | pathlib.Path) -> str:
    """The README's claims section (between the markers) for the repository at ``root``."""
    root = pathlib.Path(root)
    cache: dict = {}
    rows = ["| claim | article | figure | run | measured | rule | holds |", "|---|---|---|---|---|---|---|"]
    for claim in CLAIMS:
        number, holds = measure_claim(claim, root, cache)
        name = pathlib.Path(claim.figure).name
        figure = f"[{name}]({claim.figure})" if (root / claim.figure).is_file() else f"{name} (not yet committed)"
        rows.append(f"| {claim.text} | {claim.article} | {figure} | `{claim.run}` | {number} | {claim.rule} | "
                    f"**{holds}** |")
    return "\n".join([BEGIN, *rows, END])


def _section(text: str, readme: pathlib.Path) -> tuple[int, int]:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise RunFolderError(readme, None, "has no claims section (its markers are missing)")
    return start, end + len(END)


def update_readme(readme: str | pathlib.Path, root: str | pathlib.Path | None = None) -> bool:
    """Rewrite the claims section of ``readme`` from the runs under ``root`` (default: the
    README's folder); True when it changed."""
    readme = pathlib.Path(readme)
    text = readme.read_text()
    start, end = _section(text, readme)
    new = text[:start] + claims_table(root or readme.parent) + text[end:]
    readme.write_text(new)
    return new != text


def check_readme(readme: str | pathlib.Path, root: str | pathlib.Path | None = None) -> list[str]:
    """Lines of the README's claims section that differ from the committed runs' under ``root``
    (default: the README's folder); empty when they agree."""
    readme = pathlib.Path(readme)
    text = readme.read_text()
    start, end = _section(text, readme)
    written = text[start:end].splitlines()
    expected = claims_table(root or readme.parent).splitlines()
    problems = [f"README line {text[:start].count(chr(10)) + 1 + i}: {w!r}, runs give {e!r}"
                for i, (w, e) in enumerate(zip(written, expected)) if w != e]
    if len(written) != len(expected):
        problems.append(f"README claims section has {len(written)} lines, runs give {len(expected)}")
    return problems
