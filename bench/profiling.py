"""What the benchmarks share for --perf: recording a running daemon and printing where its CPU went."""
import signal
import subprocess


def record(pid, output, call_graph="fp"):
    """Starts `perf record` on pid; stop() it to end the recording."""
    graph = ["--call-graph", "dwarf,16384", "-F", "250"] if call_graph == "dwarf" else ["-g"]
    return subprocess.Popen(["perf", "record", *graph, "-o", output, "-p", str(pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(recorder):
    recorder.send_signal(signal.SIGINT)
    recorder.wait()


def print_top(data, percent_limit):
    """The functions with at least percent_limit % of the samples: share, library, name."""
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--percent-limit", str(percent_limit),
                             "--stdio", "--sort", "dso,symbol", "-g", "none"], capture_output=True, text=True).stdout
    for line in report.splitlines():
        if line.strip() and not line.startswith("#"):
            fields = line.split()
            print(f"  {fields[0]:>7} {fields[1]:<18} " + " ".join(fields[3:-2])[:120])
