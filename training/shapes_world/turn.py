"""One exchange of a sample: the user's question (with the scenes it brings) and the two
answers the generator can write: the full one (mixes full, vision, eval) and a terse one (mix
short, ablation (a)). `entry` is what meta.jsonl records for the evaluation."""
from dataclasses import dataclass, field


@dataclass
class Turn:
    text: str
    answer: str
    short: str
    task: str
    truth: dict
    phrasing: str
    heldout: bool
    images: list = field(default_factory=list)  # scene ids, in message order

    def entry(self, index):
        return {
            "task": self.task, "truth": self.truth, "turn": index, "followup": index >= 1,
            "phrasing": self.phrasing, "heldout_phrasing": self.heldout,
        }
