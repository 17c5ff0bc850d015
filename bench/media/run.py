"""Benchmark: the media pipeline against the same ffmpeg commands run by hand.

Generates a 60 s 1280x720 clip (test pattern + tone), then times, alternately:

- ``pipeline``: ``services.video_process`` on an uploaded original, i.e. everything the
  ``media`` Celery task does (probe, checksum, HLS ladder with progress reporting, poster,
  writing every file through Django storage, database rows);
- ``by hand``: the exact ffmpeg argv the pipeline builds (probe, HLS, poster), run one after
  the other with ``subprocess.run`` and nothing else.

Usage (from the repository root, on the embedded default; it uses its own ``var/bench``):

    .venv/bin/python bench/media/run.py [--seconds 60] [--rounds 2]

Writes nothing outside ``var/bench``. Results are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.pop("DATABASE_URL", None)
os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)


def setup_django():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def make_clip(path: Path, seconds: int) -> Path:
    from media_pipeline import ffmpeg

    encode = ("-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M", "-pix_fmt", "yuv420p")
    return ffmpeg.generate_test_clip(
        path,
        seconds=seconds,
        size="1280x720",
        rate=30,
        pattern="testsrc2",
        encode=(*encode, "-c:a", "aac"),
    )


def by_hand_commands(source: Path, out: Path) -> list[list[str]]:
    """The argv the pipeline runs for ``source`` (built by the same functions)."""
    from media_pipeline import ffmpeg, services

    info = ffmpeg.probe(source)
    binary = ffmpeg.locate().path
    _, hls = ffmpeg.hls_job(info, source, out, progress=False)
    probe = [binary, "-hide_banner", "-nostdin", "-i", str(source)]
    poster = ffmpeg.poster_command(
        binary, source, out / "poster.jpg", at=services.poster_time(info)
    )
    return [probe, hls, poster]


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children (ffmpeg)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_by_hand(source: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        commands = by_hand_commands(source, Path(tmp))
        start, cpu = time.perf_counter(), cpu_seconds()
        for index, cmd in enumerate(commands):
            # The probe exits 1 by design ("no output file"); the others must succeed.
            subprocess.run(cmd, capture_output=True, check=index != 0)  # noqa: S603
        return time.perf_counter() - start, cpu_seconds() - cpu


def time_pipeline(source: Path, owner) -> tuple[float, float]:
    from media_pipeline import services

    asset = services.video_create_from_file(
        user=owner, title="Benchmark", path=source, content_type="video/mp4"
    )
    start, cpu = time.perf_counter(), cpu_seconds()
    asset = services.video_process(asset_id=asset.pk)
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    assert asset.status == "ready", asset.failure_reason
    return elapsed, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from media_pipeline import ffmpeg

    owner, _ = get_user_model().objects.get_or_create(email="bench@example.com")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        source = make_clip(Path(tmp) / "bench.mp4", args.seconds)
        print(" ".join(by_hand_commands(source, Path(tmp) / "show")[1]))
        pipeline, by_hand = [], []
        for _ in range(args.rounds):
            by_hand.append(time_by_hand(source))
            pipeline.append(time_pipeline(source, owner))
    hand = statistics.median(w for w, _ in by_hand)
    pipe = statistics.median(w for w, _ in pipeline)
    hand_cpu = statistics.median(c for _, c in by_hand)
    pipe_cpu = statistics.median(c for _, c in pipeline)
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average before: {load_before}; after: {os.getloadavg()}")
    print(
        f"ffmpeg: {ffmpeg.version()}; ladder {settings.MEDIA_HLS_LADDER}, preset "
        f"{settings.MEDIA_X264_PRESET}; clip {args.seconds} s 1280x720 30 fps"
    )
    print()
    print("| run | by hand wall (s) | pipeline wall (s) | by hand CPU (s) | pipeline CPU (s) |")
    print("|---|---|---|---|---|")
    for i, ((hw, hc), (pw, pc)) in enumerate(zip(by_hand, pipeline, strict=True), 1):
        print(f"| {i} | {hw:.2f} | {pw:.2f} | {hc:.2f} | {pc:.2f} |")
    print(f"| median | {hand:.2f} | {pipe:.2f} | {hand_cpu:.2f} | {pipe_cpu:.2f} |")
    print(
        f"\npipeline overhead: wall {(pipe - hand) / hand * 100:+.1f} %, "
        f"CPU {(pipe_cpu - hand_cpu) / hand_cpu * 100:+.1f} %"
    )


if __name__ == "__main__":
    main()
