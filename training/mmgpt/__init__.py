"""MultiModal-GPT in PyTorch, for training: the runner's architecture under the runner's tensor names."""
