"""The articles' claims, each checked with a number from a committed run (README, "Claims").

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


def _sharp_and_styled(record: RunRecord) -> Measured:
    comparison = record.results["comparison"]
    gan, cvae = comparison["cvae_gan"], comparison["cvae"]
    ratio = gan["relative_sharpness"] / cvae["relative_sharpness"]
    good, partly = _style_kept(gan["style"])
    return (f"after {gan['iterations']:,} iterations: sharpness {fmt(gan['relative_sharpness'])} (CVAE "
            f"{fmt(cvae['relative_sharpness'])}); CVAE+GAN {_style_words(gan['style'])}; CVAE transfer "
            f"{fmt(cvae['style']['transfer']['slant'])} ({fmt(cvae['style']['transfer']['slant_gain'])}) / "
            f"{fmt(cvae['style']['transfer']['width'])} ({fmt(cvae['style']['transfer']['width_gain'])})",
            verdict(ratio > 1.2 and good, ratio > 1.0 and partly))


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
    gan = _generator(record)["conditional"]["relative_sharpness"]
    cvae = _generator(record, "cvae")["conditional"]["relative_sharpness"]
    return f"sharpness over real test digits: CVAE+GAN {fmt(gan)}, CVAE {fmt(cvae)}", verdict(gan > 1.2 * cvae, gan > cvae)


def _vae_codes(record: RunRecord) -> Measured:
    space = record.results["code_space"]
    vae, ae = space["VAE (z_mean)"]["kl_to_standard_normal"], space["autoencoder"]["kl_to_standard_normal"]
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
    Claim("CVAE+GAN digits are sharper than the CVAE's", "Part 6, Результаты",
          "figs/part6/corrected-z8/figures/digits_from_prior_cvae_gan.png", "figs/part6/corrected-z8",
          "yes: over 1.2x the CVAE's; partly: over it", _sharper),
    Claim("CVAE+GAN digits are sharp and keep each 7's slant and stroke width (latent 8)", "Part 6, Результаты",
          "figs/part6/corrected-z8-12000/figures/style_transfer_cvae_gan.png", "figs/part6/corrected-z8-12000",
          "yes: sharpness over 1.2x the CVAE's and transfer slant and width r >= 0.7; partly: over it and r >= 0.4",
          _sharp_and_styled),
    Claim("CVAE+GAN digits are sharp and keep each 7's slant and stroke width (latent 2)", "Part 6, Результаты",
          "figs/part6/corrected-z2-12000/figures/style_transfer_cvae_gan.png", "figs/part6/corrected-z2-12000",
          "yes: sharpness over 1.2x the CVAE's and transfer slant and width r >= 0.7; partly: over it and r >= 0.4",
          _sharp_and_styled),
    Claim("the CVAE+GAN draws the requested digit", "Part 6, Результаты",
          "figs/part6/corrected-z8/figures/digits_from_prior_cvae_gan.png", "figs/part6/corrected-z8",
          "yes: >= 0.8; partly: >= 0.5", _label_accuracy()),
    Claim("the VAE's code space is continuous and close to N(0, I), the AE's is not", "slides S2.2-S2.3",
          "figs/mnist_study/figures/code_spaces_ae_vs_vae.png", "figs/mnist_study",
          "yes: VAE < 0.1 and AE over 10x it", _vae_codes),
    Claim("the denoising AE removes noise", "slides S2.1", "figs/mnist_study/figures/denoising.png",
          "figs/mnist_study", "yes: +6 dB or more", _denoising),
    Claim("an AE compresses better than PCA", "slides S2.1", "figs/mnist_study/figures/ae_vs_pca.png",
          "figs/mnist_study", "yes: AE below PCA at every code size", _ae_vs_pca),
    Claim("reconstruction error flags digits unlike MNIST", "study, closing remark",
          "figs/mnist_study/figures/anomaly_scores.png", "figs/mnist_study", "yes: AUROC >= 0.95", _anomaly),
    Claim("a VAE draws new digits from N(0, I)", "study F0.4", "figs/mnist_study/figures/vae_new_digits.png",
          "figs/mnist_study", "yes: >= half read confidently", _vae_draws),
    Claim("the smile vector makes faces smile", "faces study F0.3", "figs/faces/figures/smile_vector.png",
          "figs/faces", "yes: >= 0.5 and at least doubled", _smile_vector),
    Claim("faces from the fitted normal are new faces", "faces study F0.2",
          "figs/faces/figures/new_faces_fitted_normal.png", "figs/faces",
          "yes: over 1.2x a reconstruction's distance", _new_faces),
    Claim("the CelebA CVAE adds a smile", "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_smile.png",
          "figs/celeba", EDIT_RULE, _edit("+ smile")),
    Claim("the CelebA CVAE adds glasses", "CelebA CVAE, attribute edits", "figs/celeba/figures/edit_glasses.png",
          "figs/celeba", EDIT_RULE, _edit("+ glasses")),
    Claim("the CelebA CVAE turns a woman into a man", "CelebA CVAE, attribute edits",
          "figs/celeba/figures/edit_male.png", "figs/celeba", EDIT_RULE, _edit("-> male")),
)


def measure_claim(claim: Claim, root: pathlib.Path, cache: Optional[dict] = None) -> Measured:
    """The claim's number and verdict from its committed run (``not measured: ...`` when it lacks them)."""
    cache = {} if cache is None else cache
    try:
        if claim.run not in cache:
            cache[claim.run] = read_run(root / claim.run)
        return claim.measure(cache[claim.run])
    except (RunFolderError, KeyError) as err:
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
