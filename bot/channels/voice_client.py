"""Example voice client: speech (or typed transcripts) in, speech text out.

    python -m bot.channels.voice_client question.wav      # recognise offline, ask, print what to say
    python -m bot.channels.voice_client < transcripts.txt # one transcript per line

A WAV file is recognised by the first offline recogniser that is installed
and configured (:func:`available_recognizer`; today Vosk with
``VOSK_MODEL_PATH`` pointing at an unpacked Chinese model). Without one the
client says so and reads transcripts from standard input instead. Each
transcript is posted to ``/webhooks/voice/webhook`` (``RASA_URL``) and the
reply's ``speech`` text is printed, ready for a TTS engine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
import wave
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.config import settings


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard: the best text, alternatives and its confidence (0–1) if known."""

    text: str
    nbest: tuple[str, ...] = field(default_factory=tuple)
    confidence: float | None = None

    def asr(self) -> dict[str, Any]:
        out: dict[str, Any] = {"nbest": list(self.nbest or (self.text,))}
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


class Recognizer(Protocol):
    """Anything that turns a WAV file into a :class:`Transcript` plugs in here."""

    def transcribe(self, wav_path: str) -> Transcript: ...


class VoskRecognizer:
    """Offline recognition with Vosk (``pip install vosk`` and a model directory)."""

    def __init__(self, model_path: str):
        import vosk  # imported here: optional

        vosk.SetLogLevel(-1)
        self._vosk = vosk
        self._model = vosk.Model(model_path)

    def transcribe(self, wav_path: str) -> Transcript:
        with wave.open(wav_path, "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise ValueError("需要单声道 16 位 PCM 的 WAV 文件（可用 sox in.wav -c 1 -b 16 -r 16000 out.wav 转换）")
            recognizer = self._vosk.KaldiRecognizer(self._model, wav.getframerate())
            recognizer.SetMaxAlternatives(3)
            while chunk := wav.readframes(4000):
                recognizer.AcceptWaveform(chunk)
        result = json.loads(recognizer.FinalResult())
        alternatives = result.get("alternatives") or [{"text": result.get("text", "")}]
        texts = tuple(a.get("text", "").replace(" ", "") for a in alternatives if a.get("text"))
        confidence = alternatives[0].get("confidence") if alternatives else None
        # Vosk's confidence is a lattice score, not a probability: pass it on only when it is one.
        if not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
            confidence = None
        return Transcript(texts[0] if texts else "", texts, confidence)


def available_recognizer(env: dict[str, str] | None = None) -> Recognizer | None:
    """The installed and configured offline recogniser, or None."""
    env = dict(os.environ) if env is None else env
    model_path = env.get("VOSK_MODEL_PATH", "")
    if model_path and os.path.isdir(model_path):
        try:
            return VoskRecognizer(model_path)
        except ImportError:
            return None
    return None


def ask(url: str, sender: str, transcript: Transcript, token: str = "", timeout: float = 60) -> list[dict[str, Any]]:
    """Post one transcript to the voice webhook; the reply list."""
    body = {"sender": sender, "message": transcript.text, "asr": transcript.asr()}
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/voice/webhook", data=json.dumps(body).encode("utf-8"), headers=headers
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def speech_of(reply: list[dict[str, Any]]) -> str:
    return next((str(m["speech"]) for m in reply if "speech" in m), "")


def _error_of(exc: urllib.error.HTTPError) -> str:
    hints = {401: "访问令牌缺失或错误，请检查 VOICE_TOKEN。"}
    try:
        body = json.loads(exc.read())
    except ValueError:
        body = None
    message = body.get("error") if isinstance(body, dict) else None
    return hints.get(exc.code) or (str(message) if message else exc.reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.channels.voice_client", description="语音前端示例")
    parser.add_argument("wav", nargs="?", help="要识别的 WAV 文件；不给则从标准输入逐行读取文字")
    parser.add_argument("--url", default=settings().rasa_url, help="Rasa 服务器地址（默认 RASA_URL）")
    # The server files it under voice:<sender>; one id per run keeps this run's context.
    parser.add_argument("--sender", default=uuid.uuid4().hex[:12])
    parser.add_argument("--show-text", action="store_true", help="同时打印文字回答")
    args = parser.parse_args(argv)
    token = os.environ.get("VOICE_TOKEN", "")

    transcripts: list[Transcript] = []
    if args.wav:
        recognizer = available_recognizer()
        if recognizer is not None:
            transcripts.append(recognizer.transcribe(args.wav))
            print(f"识别结果：{transcripts[0].text}", file=sys.stderr)
        else:
            print(
                "没有可用的离线语音识别（pip install vosk 并设置 VOSK_MODEL_PATH），改为从标准输入读取文字。",
                file=sys.stderr,
            )
    if not transcripts:
        transcripts = [Transcript(line.strip()) for line in sys.stdin if line.strip()]

    for transcript in transcripts:
        try:
            reply = ask(args.url, args.sender, transcript, token)
        except urllib.error.HTTPError as exc:
            print(f"语音接口拒绝了请求（HTTP {exc.code}）：{_error_of(exc)}", file=sys.stderr)
            return 1
        except (urllib.error.URLError, OSError) as exc:
            print(f"无法连接语音接口 {args.url}：{exc}", file=sys.stderr)
            return 1
        if args.show_text:
            for message in reply:
                if message.get("text"):
                    print(message["text"], file=sys.stderr)
        print(speech_of(reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
