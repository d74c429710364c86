"""The articles' claims, each checked with a number from a committed run (README, the claims table).

Each :class:`Claim` names the article section that makes it, the committed figure that
shows it, the committed run folder under ``figs/`` that measured it, and how to read
its number and verdict from that folder's files (``results.json``, ``scores.json``).
``python -m keras_autoencoders report --claims README.md`` rewrites the README's
marked section from them; :func:`check_readme` says where the README and the committed
runs disagree (a test runs it).

Verdicts: ``yes`` when the number meets the rule given beside it, ``partly`` when it
moves the right way but falls short, ``no`` otherwise.
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import Callable, Optional

from keras_autoencoders.records.part4 import Part4Results
from keras_autoencoders.report.run_record import RunFolderError, RunRecord, read_run

BEGIN = "<!-- claims table: written by `python -m keras_autoencoders report --claims README.md`; do not edit -->"
END = "<!-- end of claims table -->"

Measured = tuple[str, str]  # (the number in words, the verdict)


def fmt(value: float) -> str:
    """Three significant digits: the table is read beside pictures, not recomputed from it."""
    return f"{value:.3g}"


@dataclass(frozen=True)
class Claim:
    text: str
    article: str
    figure: str  # path under the repository root
    run: str  # run folder under the repository root
    rule: str
    measure: Callable[[RunRecord], Measured]


def verdict(good: bool, partly: bool = False) -> str:
    return "yes" if good else "partly" if partly else "no"


def _generator(record: RunRecord, name: str = "samples") -> dict:
    if not record.scores:
        raise KeyError("scores.json")
    return record.scores["generators"][name]


def _label_accuracy(name: str = "samples") -> Callable[[RunRecord], Measured]:
    def measure(record: RunRecord) -> Measured:
        accuracy = _generator(record, name)["conditional"]["label_accuracy"]
        return f"{fmt(accuracy)} of 10,000 digits from N(0, I) read as their label", verdict(accuracy >= 0.8, accuracy >= 0.5)
    return measure


def _style_words(style: dict) -> str:
    transfer, rec = style["transfer"], style["reconstruction"]
    return (f"slant / stroke width r (gain) kept in style transfer {fmt(transfer['slant'])} ({fmt(transfer['slant_gain'])}) / "
            f"{fmt(transfer['width'])} ({fmt(transfer['width_gain'])}), in reconstructions {fmt(rec['slant'])} "
            f"({fmt(rec['slant_gain'])}) / {fmt(rec['width'])} ({fmt(rec['width_gain'])})")


def _style_kept(style: dict, good: float = 0.7, partly: float = 0.4) -> tuple[bool, bool]:
    r = [style["transfer"]["slant"], style["transfer"]["width"]]
    return min(r) >= good, min(r) >= partly


def _style(record: RunRecord) -> Measured:
    accuracy = _generator(record)["style"]["accuracy"]
    style = Part4Results.from_results(record.results).digits["style"]
    good, partly = _style_kept(style)
    return (f"{fmt(accuracy)} of the transferred 7s read as the target digit; {_style_words(style)}",
            verdict(accuracy >= 0.8 and good, accuracy >= 0.8 and partly))


def _kept_as_the_cvae(gan: dict, cvae: dict, kind: str) -> tuple[float, float]:
    """The CVAE+GAN's slant and width r in ``kind`` ("transfer" or "reconstruction") minus the CVAE's."""
    return tuple(gan["style"][kind][measure] - cvae["style"][kind][measure] for measure in ("slant", "width"))


def _styled_as_the_cvae(kind: str) -> Callable[[RunRecord], Measured]:
    """Part 6's headline (the article's last figures): the CVAE+GAN carries the input's style into
    ``kind`` as the CVAE trained as long does (slant and width r within 0.05 of the CVAE's), and its
    digits stay sharp (at least 0.9 of real digits')."""
    def measure(record: RunRecord) -> Measured:
        comparison = record.results["comparison"]
        gan, cvae = comparison["cvae_gan"], comparison["cvae"]
        gaps = _kept_as_the_cvae(gan, cvae, kind)
        sharp = gan["relative_sharpness"]
        words = {"transfer": "style transfer", "reconstruction": "reconstructions"}[kind]
        return (f"after {gan['iterations']:,} iterations, {words}: CVAE+GAN slant / width r "
                f"{fmt(gan['style'][kind]['slant'])} / {fmt(gan['style'][kind]['width'])}, CVAE "
                f"{fmt(cvae['style'][kind]['slant'])} / {fmt(cvae['style'][kind]['width'])}; sharpness "
                f"{fmt(sharp)} (CVAE {fmt(cvae['relative_sharpness'])})",
                verdict(min(gaps) >= -0.05 and sharp >= 0.9,
                        min(gan["style"][kind][m] for m in ("slant", "width")) >= 0.7
                        and sharp > cvae["relative_sharpness"]))
    return measure


SHARPER_RULE = "yes: over 1.2x the CVAE's; partly: over it"
STYLED_RULE = ("yes: slant and width r within 0.05 of the CVAE's (or above) and sharpness >= 0.9 of real digits'; "
               "partly: both r >= 0.7 and sharper than the CVAE")


def _article_preset_as_corrected(record: RunRecord) -> Measured:
    """The article preset's run against the corrected preset's of the same length (a sibling folder)."""
    corrected = read_run(record.folder.parent / "corrected-z8-12000")
    article, fixed = record.results["comparison"]["cvae_gan"], corrected.results["comparison"]["cvae_gan"]
    if article["iterations"] != fixed["iterations"]:
        raise KeyError(f"runs of equal length ({article['iterations']} vs {fixed['iterations']} iterations)")
    keys = ("label_accuracy", "relative_sharpness", "within_label_variety")
    close = all(article[k] >= fixed[k] - 0.05 * max(fixed[k], 1.0) for k in keys)
    close &= min(_kept_as_the_cvae(article, fixed, "transfer")) >= -0.05
    words = ", ".join(f"{k.replace('_', ' ')} {fmt(article[k])} vs {fmt(fixed[k])}" for k in keys)
    return (f"after {article['iterations']:,} iterations each, article vs corrected preset: {words}; transfer "
            f"slant / width r {fmt(article['style']['transfer']['slant'])} / {fmt(article['style']['transfer']['width'])}"
            f" vs {fmt(fixed['style']['transfer']['slant'])} / {fmt(fixed['style']['transfer']['width'])}",
            verdict(close, article["label_accuracy"] >= 0.8))


def _z_by_label(record: RunRecord) -> Measured:
    kl = record.results["digits"]["z_kl_by_label"]
    per_dimension = max(kl) / record.settings["latent_dim"]
    return (f"KL(fitted Gaussian of a label's test z_mean, N(0, I)): {fmt(min(kl))} to {fmt(max(kl))} nats over the "
            f"ten labels, at most {fmt(per_dimension)} per dimension", verdict(per_dimension < 0.5, per_dimension < 2))


def _toy(record: RunRecord) -> Measured:
    toy = record.results["toy_manifold"]
    conditional = toy["conditional_deep_ae"]["mean_distance_to_own_curve"]
    plain = toy["deep_ae"]["mean_distance_to_nearest_curve"]
    return (f"mean distance of an output to its own curve {fmt(conditional)}, against {fmt(plain)} to the nearest "
            f"curve for the plain deep AE", verdict(conditional < 0.75 * plain, conditional < plain))


def _sharper(record: RunRecord) -> Measured:
    """Sharpness of the digits from N(0, I) over real digits' (``results.json``, ``comparison``: every
    Part 6 run has it; over the test digits', in runs committed before over the first 10,000 training
    digits', 0.54% lower), the CVAE+GAN's against the CVAE's trained as long: a ratio, the same either way."""
    comparison = record.results["comparison"]
    gan, cvae = comparison["cvae_gan"]["relative_sharpness"], comparison["cvae"]["relative_sharpness"]
    return (f"after {comparison['cvae_gan']['iterations']:,} iterations, sharpness over real digits: CVAE+GAN "
            f"{fmt(gan)}, CVAE {fmt(cvae)}", verdict(gan > 1.2 * cvae, gan > cvae))


def _vae_codes(record: RunRecord) -> Measured:
    space = record.results["code_space"]
    vae, ae = space["vae"]["kl_to_standard_normal"], space["autoencoder"]["kl_to_standard_normal"]
    return (f"KL(fitted Gaussian of the 2-d test codes, N(0, I)): VAE {fmt(vae)}, plain AE {fmt(ae)}",
            verdict(vae < 0.1 and ae > 10 * vae, vae < ae))


def _denoising(record: RunRecord) -> Measured:
    d = record.results["denoising"]
    gain = d["psnr_denoised_db"] - d["psnr_noisy_db"]
    return (f"PSNR {fmt(d['psnr_noisy_db'])} dB noisy -> {fmt(d['psnr_denoised_db'])} dB denoised (+{fmt(gain)} dB)",
            verdict(gain >= 6.0, gain > 0))


def _ae_vs_pca(record: RunRecord) -> Measured:
    table = record.results["compression"]
    ratios = {size: row["ae_test_mse"] / row["pca_test_mse"] for size, row in table.items()}
    text = ", ".join(f"{size}-d {fmt(r)}" for size, r in ratios.items())
    return f"AE / PCA test MSE: {text}", verdict(all(r < 1 for r in ratios.values()), any(r < 1 for r in ratios.values()))


def _anomaly(record: RunRecord) -> Measured:
    auroc = record.results["anomaly_auroc"]
    fashion = auroc.get("mnist_vs_fashion_mnist")
    if fashion is None:
        raise KeyError("anomaly_auroc.mnist_vs_fashion_mnist")
    return f"AUROC MNIST vs Fashion-MNIST {fashion:.4f}, vs noise {auroc['mnist_vs_noise']:.4f}", verdict(
        fashion >= 0.95, fashion >= 0.75)


def _vae_draws(record: RunRecord) -> Measured:
    drawn = _generator(record, "vae_5")["unconditional"]
    real = record.scores["real_test_digits"]["confident_fraction"]
    share = drawn["confident_fraction"]
    return (f"{fmt(share)} of 1,000 digits from the 5-d VAE's N(0, I) read confidently (real test digits: "
            f"{fmt(real)}); Fréchet distance {fmt(drawn['frechet_distance'])}", verdict(share >= 0.5, share >= 0.25))


def _fives_and_sevens(record: RunRecord) -> Measured:
    """Read by the digit judge of ``scores.json``, as every digit row is (the share of each label's 1,000
    digits read as that label)."""
    five, seven = (_generator(record)["conditional"]["per_label"][digit] for digit in (5, 7))
    return (f"of 1,000 digits from N(0, I) each, {fmt(five)} read as 5 and {fmt(seven)} as 7",
            verdict(min(five, seven) >= 0.8, min(five, seven) >= 0.5))


def _conv_reconstructions(record: RunRecord) -> Measured:
    rebuilt = _generator(record, "conv_vae")["reconstruction"]
    return (f"{fmt(rebuilt['accuracy'])} of the first 1,000 test digits' reconstructions read as the input's digit; "
            f"MSE {fmt(rebuilt['mse'])}", verdict(rebuilt["accuracy"] >= 0.95, rebuilt["accuracy"] >= 0.8))


def _smile_vector(record: RunRecord) -> Measured:
    steps = record.results["smile_vector"]["judged_smiling_by_step"]
    before, after = steps["0.0"], steps["1.0"]
    return (f"non-smiling faces called smiling: {fmt(before)} -> {fmt(after)} with the vector added once",
            verdict(after >= 0.5 and after >= 2 * before, after > before))


def _new_faces(record: RunRecord) -> Measured:
    n = record.results["new_faces"]
    new, rec = n["nearest_training_distance_new"], n["reconstruction_distance_to_original"]
    return (f"RMS distance to the nearest training face {fmt(new)}, against {fmt(rec)} from a reconstruction to its "
            f"own original", verdict(new > 1.2 * rec, new > rec))


def _edit(name: str) -> Callable[[RunRecord], Measured]:
    def measure(record: RunRecord) -> Measured:
        rate = record.results["edit_rates"][name]
        before, after = rate["reconstruction"], rate["edited"]
        return (f"of {rate['faces']} test faces without it, {fmt(before)} -> {fmt(after)} judged to have it after "
                f"the edit", verdict(after >= 0.5 and after >= 3 * before, after >= 3 * before and after >= 0.2))
    return measure


def _reconstruction_agreement(record: RunRecord) -> Measured:
    agreement = record.results["reconstruction_agreement"]
    worst = min(agreement.values())
    listed = ", ".join(f"{name} {fmt(share)}" for name, share in agreement.items())
    return f"test faces the judge reads alike on face and reconstruction: {listed}", verdict(worst >= 0.85,
                                                                                            worst >= 0.7)


EDIT_RULE = "yes: at least half of the edited faces and 3x the reconstructions; partly: 3x and at least 0.2"
CLAIMS = (
    Claim("the CVAE draws the requested digit", "Part 4, Результаты", "figs/part4/figures/digits_from_prior.png",
          "figs/part4", "yes: >= 0.8; partly: >= 0.5", _label_accuracy()),
    Claim("style transfer keeps slant and stroke width", "Part 4, Перенос стиля",
          "figs/part4/figures/style_transfer.png", "figs/part4",
          "yes: read as the target >= 0.8 and transfer slant and width r >= 0.7; partly: r >= 0.4", _style),
    Claim("each label's z is close to N(0, I)", "Part 4, Результаты", "figs/part4/figures/z_distr_all_labels.png",
          "figs/part4", "yes: every label under 0.5 nats per dimension (a normal with std 0.4 or mean 1 per dimension); partly: under 2",
          _z_by_label),
    Claim("the conditional AE follows both curves of the toy manifold", "Part 4, toy example",
          "figs/part4/figures/toy_conditional_deep_ae.png", "figs/part4",
          "yes: under 0.75x the plain AE's distance; partly: under it", _toy),
    Claim("CVAE+GAN digits are sharper than the CVAE's (latent 8)", "Part 6, Результаты",
          "figs/part6/corrected-z8-48000/figures/digits_from_prior_cvae_gan.png", "figs/part6/corrected-z8-48000",
          SHARPER_RULE, _sharper),
    Claim("CVAE+GAN digits are sharper than the CVAE's (latent 2)", "Part 6, Результаты",
          "figs/part6/corrected-z2-12000/figures/digits_from_prior_cvae_gan.png", "figs/part6/corrected-z2-12000",
          SHARPER_RULE, _sharper),
    Claim("style transfer from 7s: the CVAE+GAN keeps the 7s' style as the CVAE does, with sharp digits (latent 8)",
          "Part 6, Результаты", "figs/part6/corrected-z8-48000/figures/style_transfer_cvae_gan.png",
          "figs/part6/corrected-z8-48000", STYLED_RULE, _styled_as_the_cvae("transfer")),
    Claim("the CVAE+GAN's reconstructions keep the input's style as the CVAE's do (latent 8)", "Part 6, Результаты",
          "figs/part6/corrected-z8-48000/figures/reconstructions.png", "figs/part6/corrected-z8-48000", STYLED_RULE,
          _styled_as_the_cvae("reconstruction")),
    Claim("style transfer from 7s: the CVAE+GAN keeps the 7s' style as the CVAE does, with sharp digits (latent 2)",
          "Part 6, Результаты", "figs/part6/corrected-z2-12000/figures/style_transfer_cvae_gan.png",
          "figs/part6/corrected-z2-12000", STYLED_RULE, _styled_as_the_cvae("transfer")),
    Claim("the CVAE+GAN's reconstructions keep the input's style as the CVAE's do (latent 2)", "Part 6, Результаты",
          "figs/part6/corrected-z2-12000/figures/reconstructions.png", "figs/part6/corrected-z2-12000", STYLED_RULE,
          _styled_as_the_cvae("reconstruction")),
    Claim("the article's networks, as its code builds them, train as well as the corrected ones (latent 8)",
          "Part 6, Результаты (\"получилось очень неплохо\")",
          "figs/part6/article-z8-12000/figures/digits_from_prior_cvae_gan.png", "figs/part6/article-z8-12000",
          "yes: label accuracy, sharpness and variety within 5% of the corrected preset's and transfer r within 0.05; "
          "partly: label accuracy >= 0.8", _article_preset_as_corrected),
    Claim("the CVAE+GAN draws the requested digit", "Part 6, Результаты",
          "figs/part6/corrected-z8-48000/figures/digits_from_prior_cvae_gan.png", "figs/part6/corrected-z8-48000",
          "yes: >= 0.8; partly: >= 0.5", _label_accuracy()),
    Claim("the VAE's code space is continuous and close to N(0, I), the AE's is not", "slides S2.2-S2.3",
          "figs/mnist_study/figures/code_spaces_ae_vs_vae.png", "figs/mnist_study",
          "yes: VAE < 0.1 and AE over 10x it", _vae_codes),
    Claim("the denoising AE removes noise", "slides S2.1", "figs/mnist_study/figures/denoising.png",
          "figs/mnist_study", "yes: +6 dB or more", _denoising),
    Claim("an AE compresses better than PCA", "slides S2.5", "figs/mnist_study/figures/ae_vs_pca.png",
          "figs/mnist_study", "yes: AE below PCA at every code size", _ae_vs_pca),
    Claim("reconstruction error flags digits unlike MNIST", "study, closing remark",
          "figs/mnist_study/figures/anomaly_scores.png", "figs/mnist_study", "yes: AUROC >= 0.95", _anomaly),
    Claim("a VAE draws new digits from N(0, I)", "slides S2.3", "figs/mnist_study/figures/vae_new_digits.png",
          "figs/mnist_study", "yes: >= half read confidently", _vae_draws),
    Claim("the CVAE draws fives and sevens on demand", "study F0.5",
          "figs/mnist_study/figures/cvae_fives_and_sevens.png", "figs/mnist_study", "yes: both >= 0.8; partly: >= 0.5",
          _fives_and_sevens),
    Claim("the conv VAE's reconstructions are practically no different from the inputs", "study F0.4",
          "figs/mnist_study/figures/conv_vae_reconstructions.png", "figs/mnist_study",
          "yes: read as the input's digit >= 0.95 (real test digits: 0.99); partly: >= 0.8", _conv_reconstructions),
    Claim("the smile vector makes faces smile", "faces study F0.3", "figs/faces/figures/smile_vector.png",
          "figs/faces", "yes: >= 0.5 and at least doubled", _smile_vector),
    Claim("faces from the fitted normal are new faces", "faces study F0.2",
          "figs/faces/figures/new_faces_fitted_normal.png", "figs/faces",
          "yes: over 1.2x a reconstruction's distance", _new_faces),
    Claim("the CelebA CVAE adds a smile", "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_smile.png",
          "figs/celeba", EDIT_RULE, _edit("smile")),
    Claim("the CelebA CVAE adds glasses", "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_glasses.png",
          "figs/celeba", EDIT_RULE, _edit("glasses")),
    Claim("the CelebA CVAE turns a woman into a man (Male on, Heavy_Makeup and Wearing_Lipstick off)",
          "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_male.png", "figs/celeba", EDIT_RULE,
          _edit("male")),
    Claim("the CelebA CVAE turns a woman into a man (Male on, nothing else)", "CelebA CVAE, attribute edits",
          "figs/celeba/figures/edit_male_only.png", "figs/celeba", EDIT_RULE, _edit("male_only")),
    Claim("CelebA reconstructions keep gender, hair, smile and skin colour", "CelebA CVAE, a face and its "
          "reconstruction", "figs/celeba/figures/reconstructions.png", "figs/celeba",
          "yes: the judge reads every judged attribute alike on face and reconstruction for >= 0.85 of the faces; "
          "partly: >= 0.7", _reconstruction_agreement),
)


def measure_claim(claim: Claim, root: pathlib.Path, cache: Optional[dict] = None) -> Measured:
    """The claim's number and verdict from its committed run (``not measured: ...`` when it lacks them)."""
    cache = {} if cache is None else cache
    try:
        if claim.run not in cache:
            cache[claim.run] = read_run(root / claim.run)
        return claim.measure(cache[claim.run])
    except RunFolderError as err:  # named relative to the repository: the table is committed
        return f"not measured: {claim.run} has no readable {pathlib.Path(err.path).name}", "-"
    except KeyError as err:
        return f"not measured: {claim.run} lacks {err}", "-"


def claims_table(root: str | pathlib.Path) -> str:
    """The README's claims section (between the markers) for the repository at ``root``."""
    root = pathlib.Path(root)
    cache: dict = {}
    rows = ["| claim | article | figure | run | measured | rule | holds |", "|---|---|---|---|---|---|---|"]
    for claim in CLAIMS:
        number, holds = measure_claim(claim, root, cache)
        rows.append(f"| {claim.text} | {claim.article} | [{pathlib.Path(claim.figure).name}]({claim.figure}) | "
                    f"`{claim.run}` | {number} | {claim.rule} | **{holds}** |")
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
