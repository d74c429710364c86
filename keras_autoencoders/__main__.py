"""``python -m keras_autoencoders env|report|explore``. ``env`` prints the machine (CPU, vector extensions, native
bfloat16, GPUs, versions) as every benchmark does first: quote it with a speed figure or a bug report."""
import sys

COMMANDS = ("env", "report", "explore")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m keras_autoencoders {{{','.join(COMMANDS)}}} ...  (COMMAND --help for more)",
              file=sys.stderr)
        return 2
    if argv[0] == "env":  # TensorFlow is quieted by the package's __init__
        from keras_autoencoders.machine import describe

        print("\n".join(describe()))
        return 0
    if argv[0] == "explore":  # Gradio is imported by this command only
        from keras_autoencoders.explore.cli import main as explore

        return explore(argv[1:])
    from keras_autoencoders.report.cli import main as report

    return report(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
