"""ffmpeg: find the binary, probe a file, transcode to an HLS ladder, grab a poster frame.

The binary is ``MEDIA_FFMPEG_BINARY`` when set, else ``ffmpeg`` on ``PATH``, else the static
build shipped by the ``imageio-ffmpeg`` package, so a machine with only Python can transcode.
There is no ffprobe in that package: probing parses ``ffmpeg -i`` output.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from media_pipeline.errors import FFmpegUnavailable, ProcessingFailed


@dataclass(frozen=True)
class FFmpegBinary:
    path: str
    source: str  # "setting", "system" or "imageio-ffmpeg"


def locate() -> FFmpegBinary:
    configured = getattr(settings, "MEDIA_FFMPEG_BINARY", "")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise FFmpegUnavailable(f"MEDIA_FFMPEG_BINARY {configured!r} is not an executable")
        return FFmpegBinary(configured, "setting")
    system = shutil.which("ffmpeg")
    if system:
        return FFmpegBinary(system, "system")
    try:
        import imageio_ffmpeg

        return FFmpegBinary(imageio_ffmpeg.get_ffmpeg_exe(), "imageio-ffmpeg")
    except (ImportError, RuntimeError) as exc:
        raise FFmpegUnavailable(f"no ffmpeg found ({exc})") from exc


@functools.lru_cache(maxsize=8)
def _version(path: str) -> str:
    result = subprocess.run(  # noqa: S603 (fixed argv, no shell)
        [path, "-hide_banner", "-version"], capture_output=True, text=True, timeout=10
    )
    if result.returncode != 0:
        raise FFmpegUnavailable(f"{path} -version exited with {result.returncode}")
    first = result.stdout.splitlines()[0] if result.stdout else ""
    match = re.match(r"ffmpeg version (\S+)", first)
    return match.group(1) if match else first[:60]


def version() -> dict:
    binary = locate()
    return {"source": binary.source, "version": _version(binary.path)}


# --- Probe -----------------------------------------------------------------------------------


@dataclass
class ProbeResult:
    container: str = ""
    duration: float = 0.0
    width: int = 0
    height: int = 0
    video_codec: str = ""
    audio_codec: str = ""
    has_audio: bool = False
    rotation: int = 0
    errors: list[str] = field(default_factory=list)


_INPUT = re.compile(r"^Input #0, (?P<formats>[^,]+(?:,[^,\s]+)*), from", re.M)
_DURATION = re.compile(r"Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (?P<codec>\w+).*?, (?P<w>\d{2,5})x(?P<h>\d{2,5})")
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (?P<codec>\w+)")


def _human_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Invalid data found" in line or "moov atom not found" in line:
            return line.split(": ", 1)[-1] if ": " in line else line
    return lines[-1] if lines else "no output"


def probe(path: Path | str) -> ProbeResult:
    """Container, duration, dimensions and codecs of a media file.

    Raises :class:`ProcessingFailed` with a human-readable reason when ffmpeg cannot read it
    as a video.
    """
    binary = locate()
    result = subprocess.run(  # noqa: S603
        [binary.path, "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    stderr = result.stderr
    info = ProbeResult()
    input_match = _INPUT.search(stderr)
    if not input_match:
        raise ProcessingFailed(
            "The file is not a video we can read; it may be damaged, incomplete or another kind "
            f"of file (ffmpeg: {_human_error(stderr)}).",
            code="not_a_video",
        )
    info.container = input_match.group("formats")
    duration = _DURATION.search(stderr)
    if duration:
        info.duration = (
            int(duration.group("h")) * 3600
            + int(duration.group("m")) * 60
            + float(duration.group("s"))
        )
    video = _VIDEO.search(stderr)
    if not video:
        raise ProcessingFailed("The file contains no video stream.", code="no_video_stream")
    info.video_codec = video.group("codec")
    info.width, info.height = int(video.group("w")), int(video.group("h"))
    audio = _AUDIO.search(stderr)
    if audio:
        info.has_audio, info.audio_codec = True, audio.group("codec")
    if info.duration <= 0:
        raise ProcessingFailed(
            "The video has no duration (empty or truncated).", code="no_duration"
        )
    return info


# --- HLS ladder ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    video_kbps: int
    audio_kbps: int = 128

    @property
    def bandwidth(self) -> int:
        """Peak bits per second advertised in the master playlist (with 10 % headroom)."""
        return int((self.video_kbps + self.audio_kbps) * 1000 * 1.1)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def parse_ladder(entries: list[str]) -> list[tuple[int, int]]:
    ladder = []
    for entry in entries:
        height, _, kbps = str(entry).partition(":")
        ladder.append((int(height), int(kbps or 0) or int(height) * 4))
    return sorted(ladder)


def plan_ladder(width: int, height: int, ladder: list[tuple[int, int]]) -> list[Rendition]:
    """Renditions for a ``width x height`` source: every rung not above the source height,
    same aspect ratio, even dimensions. A source smaller than every rung gets one rendition at
    its own size."""
    if width <= 0 or height <= 0:
        raise ProcessingFailed("The video has no picture size.", code="no_dimensions")
    rungs = [(h, kbps) for h, kbps in ladder if h <= height]
    if not rungs:
        smallest_h, smallest_kbps = ladder[0]
        rungs = [(height, max(200, smallest_kbps * height // smallest_h))]
    renditions = []
    for rung_height, kbps in rungs:
        out_h = _even(rung_height)
        out_w = _even(width * rung_height / height)
        renditions.append(Rendition(f"{out_h}p", out_w, out_h, kbps))
    return renditions


def hls_command(
    binary: str,
    source: Path | str,
    out_dir: Path | str,
    renditions: list[Rendition],
    *,
    has_audio: bool,
    segment_seconds: int,
    preset: str,
    progress: bool = True,
) -> list[str]:
    """One ffmpeg run that decodes once and writes every rendition plus the master playlist:
    ``<out>/master.m3u8``, ``<out>/<name>/index.m3u8``, ``<out>/<name>/seg_00000.ts``."""
    count = len(renditions)
    split = f"[0:v]split={count}" + "".join(f"[v{i}]" for i in range(count))
    scales = [f"[v{i}]scale={r.width}:{r.height}[v{i}out]" for i, r in enumerate(renditions)]
    cmd = [binary, "-hide_banner", "-nostdin", "-y", "-i", str(source)]
    cmd += ["-filter_complex", ";".join([split, *scales])]
    for i, r in enumerate(renditions):
        cmd += ["-map", f"[v{i}out]"]
        cmd += [
            f"-c:v:{i}",
            "libx264",
            f"-b:v:{i}",
            f"{r.video_kbps}k",
            f"-maxrate:v:{i}",
            f"{int(r.video_kbps * 1.07)}k",
            f"-bufsize:v:{i}",
            f"{r.video_kbps * 2}k",
        ]
    if has_audio:
        for i, r in enumerate(renditions):
            cmd += ["-map", "0:a:0", f"-c:a:{i}", "aac", f"-b:a:{i}", f"{r.audio_kbps}k"]
        cmd += ["-ac", "2"]
    gop = str(segment_seconds * 25)
    cmd += ["-preset", preset, "-pix_fmt", "yuv420p", "-profile:v", "main"]
    cmd += ["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"]
    cmd += ["-force_key_frames", f"expr:gte(t,n_forced*{segment_seconds})"]
    stream_map = " ".join(
        f"v:{i},a:{i},name:{r.name}" if has_audio else f"v:{i},name:{r.name}"
        for i, r in enumerate(renditions)
    )
    out = Path(out_dir)
    cmd += [
        "-f",
        "hls",
        "-hls_time",
        str(segment_seconds),
        "-hls_playlist_type",
        "vod",
        "-hls_flags",
        "independent_segments",
        "-hls_segment_type",
        "mpegts",
        "-hls_segment_filename",
        str(out / "%v" / "seg_%05d.ts"),
        "-master_pl_name",
        "master.m3u8",
        "-var_stream_map",
        stream_map,
    ]
    if progress:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd.append(str(out / "%v" / "index.m3u8"))
    return cmd


def hls_job(
    info: ProbeResult, source: Path | str, out_dir: Path, *, progress: bool = True
) -> tuple[list[Rendition], list[str]]:
    """The renditions and the ffmpeg argv for ``source`` under the configured ladder, segment
    length and preset; creates one folder per rendition under ``out_dir``."""
    renditions = plan_ladder(info.width, info.height, parse_ladder(settings.MEDIA_HLS_LADDER))
    for rendition in renditions:
        (out_dir / rendition.name).mkdir(parents=True, exist_ok=True)
    command = hls_command(
        locate().path,
        source,
        out_dir,
        renditions,
        has_audio=info.has_audio,
        segment_seconds=settings.MEDIA_HLS_SEGMENT_SECONDS,
        preset=settings.MEDIA_X264_PRESET,
        progress=progress,
    )
    return renditions, command


def poster_command(binary: str, source: Path | str, target: Path | str, *, at: float) -> list[str]:
    return [
        binary,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-ss",
        f"{at:.3f}",
        "-i",
        str(source),
        "-frames:v",
        "1",
        "-vf",
        "scale=-2:'min(720,ih)'",
        "-q:v",
        "3",
        str(target),
    ]


_OUT_TIME = re.compile(r"^out_time_(?:us|ms)=(\d+)$")


def run_with_progress(
    cmd: list[str],
    *,
    duration: float,
    on_progress: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> None:
    """Run ffmpeg with ``-progress pipe:1`` and call ``on_progress(percent)`` whenever the
    whole percentage grows. Raises :class:`ProcessingFailed` when ffmpeg fails."""
    proc = subprocess.Popen(  # noqa: S603
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
    )
    stderr_tail: list[str] = []

    def drain_stderr() -> None:
        for line in proc.stderr:
            stderr_tail.append(line)
            del stderr_tail[:-40]

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    last = -1
    try:
        for line in proc.stdout:
            match = _OUT_TIME.match(line.strip())
            if match and duration > 0 and on_progress:
                # ffmpeg reports out_time_ms in microseconds too (a historical quirk).
                percent = min(99, int(int(match.group(1)) / 1_000_000 / duration * 100))
                if percent > last:
                    last = percent
                    on_progress(percent)
        proc.wait(timeout=timeout)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    reader.join(timeout=5)
    if proc.returncode != 0:
        raise ProcessingFailed(
            f"Transcoding failed: {_human_error(''.join(stderr_tail))}", code="transcode_failed"
        )


def generate_test_clip(
    target: Path,
    *,
    seconds: float,
    size: str = "640x360",
    rate: int = 25,
    pattern: str = "testsrc",
    tone_hz: int | None = 440,
    encode: tuple[str, ...] | None = None,
) -> Path:
    """Write a synthetic clip (an ffmpeg test pattern, optionally with a sine tone): demo
    data, tests and the benchmark. ``encode`` replaces the default H.264/AAC arguments."""
    cmd = [locate().path, "-v", "error", "-y", "-f", "lavfi"]
    cmd += ["-i", f"{pattern}=size={size}:rate={rate}:duration={seconds}"]
    if tone_hz:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency={tone_hz}:duration={seconds}", "-shortest"]
    if encode is None:
        encode = ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
        encode += ("-c:a", "aac") if tone_hz else ()
    subprocess.run([*cmd, *encode, str(target)], check=True, timeout=600)  # noqa: S603
    return target


def run(cmd: list[str], *, timeout: float = 120) -> None:
    result = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, errors="replace", timeout=timeout
    )
    if result.returncode != 0:
        raise ProcessingFailed(
            f"ffmpeg failed: {_human_error(result.stderr)}", code="ffmpeg_failed"
        )
