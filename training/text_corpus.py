#!/usr/bin/env python3
"""Plain text for the language side of the base stage (the role LLaMA's pre-training plays).

LoRA cannot train embeddings or lm_head rows, so every word the instruction stage uses must be
known to the base. This writes plain-text documents (no template) from instruction JSONL:
  - language-only exchanges as question-and-answer text (what a pre-trained LM knows);
  - the questions and the answers of visual exchanges as separately shuffled sentences: the
    words and grammar, never a question next to its answer (there is no image to ground it);
  - `--language N` more language-only exchanges drawn from the shapes world's own language tasks
    (training phrasings only): the facts a pre-trained LLaMA brings — how words are spelled,
    sums up to 20, the shapes' corners — which a 17M-parameter model can only learn by reading
    them many times. The instruction stage then teaches the template, not the facts.
One {"text": …} per line, for `tools/prepare.ts --mode text`.

  /usr/bin/python3 training/text_corpus.py --data A/data.jsonl [B/data.jsonl …] --out T.jsonl --seed 1
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes_world"))
from language_tasks import LANGUAGE_TASKS  # noqa: E402


def text_of(content):
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content if p.get("type") == "text")


def has_image(messages):
    return any(isinstance(m["content"], list) and any(p.get("type") == "image_url" for p in m["content"]) for m in messages)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", nargs="+", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--per-doc", type=int, default=6, help="sentences or exchanges per document")
    p.add_argument("--language", type=int, default=0, help="more language-only exchanges from the world's language tasks")
    a = p.parse_args()
    rng = random.Random(a.seed)
    qa, sentences = [], []
    tasks = sorted(LANGUAGE_TASKS)
    for i in range(a.language):
        turn = LANGUAGE_TASKS[rng.choice(tasks)](rng, "train", i)
        qa.append(f"{turn.text.strip()}\n{turn.answer.strip()}")
    for path in a.data:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                msgs = json.loads(line)["messages"]
                pairs = [(text_of(msgs[i]["content"]), text_of(msgs[i + 1]["content"])) for i in range(0, len(msgs) - 1, 2)]
                if has_image(msgs):
                    for q, ans in pairs:
                        if q.strip():
                            sentences.append(q.strip())
                        sentences.append(ans.strip())
                else:
                    qa.extend(f"{q.strip()}\n{ans.strip()}" for q, ans in pairs)
    rng.shuffle(qa)
    rng.shuffle(sentences)
    docs = []
    for i in range(0, len(qa), a.per_doc):
        docs.append("\n\n".join(qa[i : i + a.per_doc]))
    for i in range(0, len(sentences), a.per_doc):
        docs.append(" ".join(sentences[i : i + a.per_doc]))
    rng.shuffle(docs)
    with open(a.out, "w") as f:
        for d in docs:
            f.write(json.dumps({"text": d}) + "\n")
    print(f"text corpus: {len(docs)} documents ({len(qa)} language exchanges, {len(sentences)} visual sentences) → {a.out}")


if __name__ == "__main__":
    main()
