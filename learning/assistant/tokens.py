"""Token counts with a real tokenizer, fully offline.

The tutor's context budgets (retrieved passages, conversation history) and the offline
provider's usage are counted with OpenAI's ``cl100k_base`` byte-pair encoding through
``tiktoken``. tiktoken would download the encoding file on first use; instead the file ships
with this package (``data/cl100k_base.tiktoken.gz``, gzipped) and is checked against the
SHA-256 that tiktoken itself expects for it, so no network is ever needed and a corrupted copy
is refused rather than miscounted.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from functools import cache
from pathlib import Path

import tiktoken

ENCODING_NAME = "cl100k_base"
ENCODING_FILE = Path(__file__).resolve().parent / "data" / "cl100k_base.tiktoken.gz"
# The hash tiktoken (tiktoken_ext.openai_public.cl100k_base) verifies the download against.
ENCODING_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
    r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
SPECIAL_TOKENS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}
# Chat format overhead (OpenAI's published rule for cl100k chat models): every message costs
# its content plus 3 tokens of framing, and every reply is primed with 3 more.
TOKENS_PER_MESSAGE = 3
TOKENS_REPLY_PRIMING = 3


class TokenizerDataError(RuntimeError):
    """The shipped encoding file is missing or is not the one tiktoken expects."""


def load_ranks(path: Path = ENCODING_FILE, expected_sha256: str = ENCODING_SHA256) -> dict:
    try:
        contents = gzip.decompress(path.read_bytes())
    except OSError as exc:
        raise TokenizerDataError(f"Cannot read the tokenizer data {path.name}: {exc}") from exc
    digest = hashlib.sha256(contents).hexdigest()
    if digest != expected_sha256:
        raise TokenizerDataError(
            f"The tokenizer data {path.name} has SHA-256 {digest}, expected {expected_sha256}."
        )
    ranks = {}
    for line in contents.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.Encoding(
        name=ENCODING_NAME,
        pat_str=PATTERN,
        mergeable_ranks=load_ranks(),
        special_tokens=SPECIAL_TOKENS,
    )


def count_tokens(text: str) -> int:
    """Tokens of ``text`` (special-token markers in it count as ordinary text)."""
    if not text:
        return 0
    return len(encoding().encode_ordinary(text))


def message_tokens(content: str) -> int:
    """Tokens one chat message of ``content`` takes in a prompt."""
    return count_tokens(content) + TOKENS_PER_MESSAGE


def prompt_tokens(messages: list[dict]) -> int:
    """Tokens a chat request with ``messages`` takes, as the provider counts them."""
    return sum(message_tokens(m.get("content") or "") for m in messages) + TOKENS_REPLY_PRIMING


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` within ``max_tokens`` tokens."""
    tokens = encoding().encode_ordinary(text or "")
    if len(tokens) <= max_tokens:
        return text or ""
    return encoding().decode(tokens[: max(0, max_tokens)])
