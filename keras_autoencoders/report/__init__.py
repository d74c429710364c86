"""Reports of run folders: REPORT.md per run, runs compared, the README's claims table
(``python -m keras_autoencoders report``)."""

from keras_autoencoders._lazy import lazy_api

# module (under keras_autoencoders): its public names
__all__, __getattr__, __dir__ = lazy_api(__name__, """
report.run_record: read_run RunRecord RunFolderError
report.scoring: score_runs
report.run_report: write_run_report
report.comparison: write_comparison
report.claims: CLAIMS claims_table update_readme check_readme
""")
