"""Numbers, apart from the models: judge classifiers, image and latent metrics, anomaly AUROC, PCA,
generated digits scored against real ones (results.json and samples.npz), toy distances, the cached digit judge."""

from keras_autoencoders._lazy import lazy_api

__all__, __getattr__, __dir__ = lazy_api(__name__, """
evaluation.judges: build_small_cnn label_accuracy confident_readings train_attribute_classifier attribute_verdicts attribute_rates attribute_accuracy edit_rates
evaluation.image_metrics: relative_sharpness within_label_variety style_retention reconstruction_mse decoded_reconstruction_mse psnr add_gaussian_noise
evaluation.latent_metrics: gaussian_kl_to_standard_normal energy_distance_to_standard_normal knn_accuracy code_space_numbers
evaluation.anomaly: auroc reconstruction_errors uniform_noise_images anomaly_test_sets anomaly_aurocs SCORED_SETS
evaluation.pca: fit_pca PCA
evaluation.digit_generators: compare_generators score_samples RealDigits generator_arrays unconditional_numbers
evaluation.toy_curves: toy_manifold_distances
evaluation.frechet: frechet_distance
evaluation.two_sample: classifier_two_sample_accuracy
evaluation.judges: balanced_accuracy balanced_agreement attribute_effects
evaluation.digit_judge: load_digit_judge DigitJudge train_judge
""")
