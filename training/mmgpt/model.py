"""MultiModal-GPT as the runner serves it (../shared/MODEL.md), written for training.

Module attributes are laid out so that `state_dict()` keys ARE the runner's tensor names
(open_clip `vision_encoder.visual.*`, OpenFlamingo `perceiver.*` and
`lang_encoder.gated_cross_attn_layers.{i}.*`, HF LLaMA `model.*` / `lm_head`); LoRA pairs sit
under the base weight (`….q_proj.lora_A.weight`) and `export.py` renames them to peft names
with the table the TypeScript runner prints (`names.ts`), so no name table lives here.

    pixels ─ conv1 ─ +cls +pos ─ ln_pre ─ resblocks ─ [patches] ─ perceiver ─ latents ──┐
    ids ─ embed ─┬─ (gated xattn before layer i, (i+1) % every == 0, text_time mask) ◄──┘
                 └─ LLaMA layers ─ norm ─ lm_head (only at the positions a loss needs)
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def cross_layers(cfg):
    every = cfg["crossAttention"]["every"]
    return [i for i in range(cfg["language"]["layers"]) if (i + 1) % every == 0]


class LoraLinear(nn.Linear):
    """A bias-free linear that can carry a peft-style adapter: y = W·x + (alpha/r)·B·(A·x)."""

    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)
        self.lora_A = None
        self.lora_B = None
        self.lora_scale = 0.0

    def add_lora(self, r, alpha):
        self.lora_A = nn.Linear(self.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, self.out_features, bias=False)
        # peft's init: A Kaiming-uniform, B zero, so the adapter starts as a no-op.
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.lora_scale = alpha / r

    def forward(self, x):
        y = F.linear(x, self.weight)
        if self.lora_A is not None:
            y = y + self.lora_B(self.lora_A(x)) * self.lora_scale
        return y


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


# ── vision: open_clip VisionTransformer up to the last block's patch tokens ──────────────


class _Mlp(nn.Module):
    def __init__(self, w, hidden):
        super().__init__()
        self.c_fc = nn.Linear(w, hidden)
        self.gelu = QuickGELU()
        self.c_proj = nn.Linear(hidden, w)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class _ResBlock(nn.Module):
    def __init__(self, v):
        super().__init__()
        w = v["width"]
        self.ln_1 = nn.LayerNorm(w, eps=v["layerNormEps"])
        self.attn = nn.MultiheadAttention(w, v["heads"], batch_first=True)
        self.ln_2 = nn.LayerNorm(w, eps=v["layerNormEps"])
        self.mlp = _Mlp(w, v["mlpDim"])

    def forward(self, x):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class _Transformer(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.resblocks = nn.ModuleList(_ResBlock(v) for _ in range(v["layers"]))


class VisualEncoder(nn.Module):
    def __init__(self, v):
        super().__init__()
        w, p, s = v["width"], v["patchSize"], v["imageSize"]
        n = (s // p) ** 2
        self.conv1 = nn.Conv2d(3, w, kernel_size=p, stride=p, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(w) * w**-0.5)
        self.positional_embedding = nn.Parameter(torch.randn(n + 1, w) * w**-0.5)
        self.ln_pre = nn.LayerNorm(w, eps=v["layerNormEps"])
        self.transformer = _Transformer(v)

    def forward(self, pixels):
        """Normalized [M, 3, S, S] → patch features [M, patches, width] (class token dropped)."""
        # conv1 (kernel = stride = patch) as one matrix product over the unfolded patches: the
        # same numbers and the same weight, but its backward is a plain product too — under bf16
        # autocast the strided convolution's weight gradient took 200 ms a batch on this CPU, the
        # product a few.
        m, c, s, _ = pixels.shape
        p = self.conv1.kernel_size[0]
        g = s // p
        patches = pixels.reshape(m, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(m, g * g, c * p * p)
        x = F.linear(patches, self.conv1.weight.reshape(self.conv1.out_channels, -1))
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        for block in self.transformer.resblocks:
            x = block(x)
        return x[:, 1:]


class _VisionWrapper(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.visual = VisualEncoder(v)


# ── perceiver resampler ──────────────────────────────────────────────────────────────────


class _PerceiverAttention(nn.Module):
    def __init__(self, p):
        super().__init__()
        dim, inner = p["dim"], p["heads"] * p["dimHead"]
        self.heads, self.dim_head = p["heads"], p["dimHead"]
        self.norm_media = nn.LayerNorm(dim, eps=p["layerNormEps"])
        self.norm_latents = nn.LayerNorm(dim, eps=p["layerNormEps"])
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_kv = nn.Linear(dim, 2 * inner, bias=False)
        self.to_out = nn.Linear(inner, dim, bias=False)

    def forward(self, media, latents):
        x = self.norm_media(media)
        lat = self.norm_latents(latents)
        q = self.to_q(lat)
        k, v = self.to_kv(torch.cat([x, lat], dim=1)).chunk(2, dim=-1)
        a = _mha(q, k, v, self.heads, self.dim_head)
        return self.to_out(a)


class Perceiver(nn.Module):
    def __init__(self, p):
        super().__init__()
        dim = p["dim"]
        self.latents = nn.Parameter(torch.randn(p["numLatents"], dim))
        self.layers = nn.ModuleList(
            nn.ModuleList(
                [
                    _PerceiverAttention(p),
                    nn.Sequential(
                        nn.LayerNorm(dim, eps=p["layerNormEps"]),
                        nn.Linear(dim, dim * p["ffMult"], bias=False),
                        nn.GELU(),
                        nn.Linear(dim * p["ffMult"], dim, bias=False),
                    ),
                ]
            )
            for _ in range(p["depth"])
        )
        self.norm = nn.LayerNorm(dim, eps=p["layerNormEps"])

    def forward(self, feats):
        """[M, patches, dim] → media latents [M, numLatents, dim]."""
        lat = self.latents.expand(feats.shape[0], -1, -1)
        for attn, ff in self.layers:
            lat = lat + attn(feats, lat)
            lat = lat + ff(lat)
        return self.norm(lat)


def _mha(q, k, v, heads, dim_head, mask=None):
    """q [B, Tq, h·d], k/v [B, Tk, h·d] → [B, Tq, h·d]; mask [B, Tq, Tk] bool (True = may attend)."""
    b, tq, _ = q.shape
    tk = k.shape[1]
    q = q.view(b, tq, heads, dim_head).transpose(1, 2)
    k = k.view(b, tk, heads, dim_head).transpose(1, 2)
    v = v.view(b, tk, heads, dim_head).transpose(1, 2)
    s = torch.matmul(q, k.transpose(-1, -2)) * dim_head**-0.5
    if mask is not None:
        s = s.masked_fill(~mask[:, None], -1e9)
    return torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2).reshape(b, tq, heads * dim_head)


# ── gated cross-attention (Flamingo) ─────────────────────────────────────────────────────


class _MaskedCrossAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        x, hidden = cfg["crossAttention"], cfg["language"]["hidden"]
        inner = x["heads"] * x["dimHead"]
        self.heads, self.dim_head = x["heads"], x["dimHead"]
        self.num_latents = cfg["perceiver"]["numLatents"]
        self.norm = nn.LayerNorm(hidden, eps=x["layerNormEps"])
        self.to_q = LoraLinear(hidden, inner)
        self.to_kv = LoraLinear(x["mediaDim"], 2 * inner)
        self.to_out = LoraLinear(inner, hidden)

    def forward(self, x, media, text_time):
        """x [B, T, H]; media [B, I·latents, mediaDim]; text_time [B, T] (1-based image, 0 = none)."""
        q = self.to_q(self.norm(x))
        k, v = self.to_kv(media).chunk(2, dim=-1)
        image_of_key = torch.arange(media.shape[1], device=x.device) // self.num_latents + 1
        mask = text_time[:, :, None] == image_of_key[None, None, :]
        a = _mha(q, k, v, self.heads, self.dim_head, mask)
        # A token with no image (text_time 0) gets a zero attention output, as in OpenFlamingo.
        a = a * (text_time > 0).unsqueeze(-1).to(a.dtype)
        return self.to_out(a)


class GatedCrossAttentionBlock(nn.Module):
    def __init__(self, cfg, gate_init=0.0):
        super().__init__()
        hidden, x = cfg["language"]["hidden"], cfg["crossAttention"]
        self.attn = _MaskedCrossAttention(cfg)
        self.attn_gate = nn.Parameter(torch.full((1,), gate_init))
        self.ff = nn.Sequential(
            nn.LayerNorm(hidden, eps=x["layerNormEps"]),
            LoraLinear(hidden, hidden * x["ffMult"]),
            nn.GELU(),
            LoraLinear(hidden * x["ffMult"], hidden),
        )
        self.ff_gate = nn.Parameter(torch.full((1,), gate_init))

    def forward(self, x, media, text_time, has_media):
        """has_media [B, 1, 1]: 0 for language-only rows, which skip the block entirely."""
        x = x + has_media * torch.tanh(self.attn_gate) * self.attn(x, media, text_time)
        return x + has_media * torch.tanh(self.ff_gate) * self.ff(x)


class _LangEncoder(nn.Module):
    def __init__(self, cfg, gate_init):
        super().__init__()
        self.gated_cross_attn_layers = nn.ModuleDict(
            {str(i): GatedCrossAttentionBlock(cfg, gate_init) for i in cross_layers(cfg)}
        )


# ── LLaMA ────────────────────────────────────────────────────────────────────────────────


def rope_tables(head_dim, theta, positions):
    inv = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    ang = positions.to(torch.float64)[:, None] * inv[None, :]
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().to(torch.float32), ang.sin().to(torch.float32)


def apply_rope(x, cos, sin):
    """x [B, h, T, d] in HF's rotate_half convention (i pairs with i + d/2)."""
    half = x.shape[-1] // 2
    rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rot * sin


class _SelfAttention(nn.Module):
    def __init__(self, L):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = L["heads"], L["kvHeads"], L["headDim"]
        self.q_proj = LoraLinear(L["hidden"], L["heads"] * L["headDim"])
        self.k_proj = LoraLinear(L["hidden"], L["kvHeads"] * L["headDim"])
        self.v_proj = LoraLinear(L["hidden"], L["kvHeads"] * L["headDim"])
        self.o_proj = LoraLinear(L["heads"] * L["headDim"], L["hidden"])

    def forward(self, x, cos, sin, causal):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if self.kv_heads != self.heads:
            rep = self.heads // self.kv_heads
            k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        s = torch.matmul(q, k.transpose(-1, -2)) * self.head_dim**-0.5
        s = s.masked_fill(~causal, -1e9)
        a = torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(a)


class _Mlp2(nn.Module):
    def __init__(self, L):
        super().__init__()
        self.gate_proj = nn.Linear(L["hidden"], L["intermediate"], bias=False)
        self.up_proj = nn.Linear(L["hidden"], L["intermediate"], bias=False)
        self.down_proj = nn.Linear(L["intermediate"], L["hidden"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class _DecoderLayer(nn.Module):
    def __init__(self, L):
        super().__init__()
        self.self_attn = _SelfAttention(L)
        self.mlp = _Mlp2(L)
        self.input_layernorm = RMSNorm(L["hidden"], L["rmsNormEps"])
        self.post_attention_layernorm = RMSNorm(L["hidden"], L["rmsNormEps"])

    def forward(self, x, cos, sin, causal):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, causal)
        return x + self.mlp(self.post_attention_layernorm(x))


class _Llama(nn.Module):
    def __init__(self, L):
        super().__init__()
        self.embed_tokens = nn.Embedding(L["vocabSize"], L["hidden"])
        self.layers = nn.ModuleList(_DecoderLayer(L) for _ in range(L["layers"]))
        self.norm = RMSNorm(L["hidden"], L["rmsNormEps"])


def text_time(ids, image_id, rule):
    """Per token, the 1-based image its cross-attention reads, 0 = none (MODEL.md media masking)."""
    is_img = ids == image_id
    c = torch.cumsum(is_img.long(), dim=1)
    if rule == "previous-image":
        return c
    n = c[:, -1:]
    t = torch.where(is_img, c, c + 1)
    return torch.where(t > n, torch.zeros_like(t), t)


class MultiModalGPT(nn.Module):
    def __init__(self, cfg, gate_init=0.0):
        super().__init__()
        self.cfg = cfg
        self.vision_encoder = _VisionWrapper(cfg["vision"])
        self.perceiver = Perceiver(cfg["perceiver"])
        self.model = _Llama(cfg["language"])
        self.lm_head = nn.Linear(cfg["language"]["hidden"], cfg["language"]["vocabSize"], bias=False)
        self.lang_encoder = _LangEncoder(cfg, gate_init)
        self.register_buffer("clip_mean", torch.tensor(CLIP_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("clip_std", torch.tensor(CLIP_STD).view(1, 3, 1, 1), persistent=False)

    # LoRA ------------------------------------------------------------------------------
    def lora_modules(self):
        """(state-dict prefix, module) of every LoraLinear whose name is a configured target."""
        targets = set(self.cfg["lora"]["targets"]) if self.cfg.get("lora") else set()
        out = []
        for name, m in self.named_modules():
            if not isinstance(m, LoraLinear):
                continue
            last = ".".join(name.split(".")[-2:]) if name.split(".")[-2] == "ff" else name.split(".")[-1]
            if last in targets:
                out.append((name, m))
        return out

    def add_lora(self):
        lora = self.cfg["lora"]
        for _, m in self.lora_modules():
            m.add_lora(lora["r"], lora["alpha"])

    def base_state_dict(self):
        if hasattr(self, "head_active"):
            self.sync_head()
        return {k: v for k, v in self.state_dict().items() if ".lora_" not in k and not k.startswith(("head_", "compact_"))}

    def lora_state_dict(self):
        return {k: v for k, v in self.state_dict().items() if ".lora_" in k}

    # forward ---------------------------------------------------------------------------
    def patch_features(self, pixels_u8):
        """uint8 HWC [M, S, S, 3] (what the edge sends) → ViT patch features [M, patches, width]."""
        x = pixels_u8.permute(0, 3, 1, 2).to(torch.float32) / 255.0
        x = (x - self.clip_mean) / self.clip_std
        return self.vision_encoder.visual(x)

    def media_latents(self, pixels_u8):
        """uint8 HWC [M, S, S, 3] → media latents [M, numLatents, dim]."""
        return self.perceiver(self.patch_features(pixels_u8))

    def hidden_states(self, ids, media=None):
        """ids [B, T] (right-padded); media [B, I, latents, dim] (images of each row in order) or None.

        Rows without an `<image>` id skip the gated blocks (MultiModal-GPT's language-only rule)."""
        cfg = self.cfg
        L = cfg["language"]
        b, t = ids.shape
        x = self.embed(ids)
        cos, sin = rope_tables(L["headDim"], L["ropeTheta"], torch.arange(t, device=ids.device))
        causal = torch.ones(t, t, dtype=torch.bool, device=ids.device).tril()
        tt = text_time(ids, cfg["tokens"]["image"], cfg["crossAttention"]["mediaRule"])
        has_media = (ids == cfg["tokens"]["image"]).any(dim=1).to(x.dtype).view(b, 1, 1)
        gated = self.lang_encoder.gated_cross_attn_layers
        flat = None
        if media is not None and media.shape[1] > 0 and bool(has_media.any()):
            flat = media.reshape(b, -1, media.shape[-1])
        for i, layer in enumerate(self.model.layers):
            if flat is not None and str(i) in gated:
                x = gated[str(i)](x, flat, tt, has_media)
            x = layer(x, cos, sin, causal)
        return self.model.norm(x)

    def batch_media(self, pixels, counts):
        """pixels [B, I, S, S, 3] uint8 with counts[b] real images per row → latents [B, I, n, d].
        Padding images stay zero and are never attended (no token's text_time points at them)."""
        if pixels is None:
            return None
        real = [(r, k) for r in range(pixels.shape[0]) for k in range(int(counts[r]))]
        if not real:
            return None
        lat = self.media_latents(torch.stack([pixels[r, k] for r, k in real]))
        out = lat.new_zeros(pixels.shape[0], pixels.shape[1], *lat.shape[1:])
        for n, (r, k) in enumerate(real):
            out[r, k] = lat[n]
        return out

    # Compact head -------------------------------------------------------------------------
    # The shapes world uses a few hundred of LLaMA's 32,003 tokens. Training ties the lm_head
    # rows of every token the data never contains to ONE shared row, which makes the full
    # softmax exact at the cost of the active rows: logsumexp over the tied rows is
    # (shared·h) + log(count). The model stays the full architecture: export writes the shared
    # row into every inactive row, and the runner computes all 32,003 logits as always.
    def use_compact_head(self, active_ids):
        active = torch.as_tensor(sorted(set(int(i) for i in active_ids)), dtype=torch.long)
        vocab = self.cfg["language"]["vocabSize"]
        inactive = torch.ones(vocab, dtype=torch.bool)
        inactive[active] = False
        self.register_buffer("head_active_ids", active, persistent=False)
        self.register_buffer("head_slot", torch.full((vocab,), -1, dtype=torch.long), persistent=False)
        self.head_slot[active] = torch.arange(len(active))
        self.head_inactive = int(inactive.sum())
        w = self.lm_head.weight.detach()
        self.head_active = nn.Parameter(w[active].clone())
        shared = w[inactive].mean(0) if self.head_inactive else torch.zeros(w.shape[1])
        self.head_shared = nn.Parameter(shared.clone())
        self.lm_head.weight.requires_grad = False
        # The input embeddings the same way: only the active rows train (the others never
        # receive a gradient and sync_head replaces them anyway), so the optimizer and DDP's
        # all-reduce handle ~850 rows instead of 32,003 (6.1 M values a step) — the same result.
        emb = self.model.embed_tokens.weight
        self.compact_embed = nn.Parameter(emb.detach()[active].clone(), requires_grad=emb.requires_grad)
        emb.requires_grad = False

    def embed(self, ids):
        if not hasattr(self, "compact_embed"):
            return self.model.embed_tokens(ids)
        slot = self.head_slot[ids]
        active = F.embedding(slot.clamp(min=0), self.compact_embed)
        return torch.where((slot >= 0).unsqueeze(-1), active, self.model.embed_tokens(ids))

    def sync_head(self):
        """Writes the compact head back into lm_head (every inactive row = the shared row). The
        embeddings of tokens training never saw are still their random init: they become the mean
        of the trained rows, a neutral input for words outside the world (and a file whose
        repeated rows compress)."""
        with torch.no_grad():
            self.lm_head.weight.copy_(self.head_shared.expand_as(self.lm_head.weight))
            self.lm_head.weight[self.head_active_ids] = self.head_active
            emb = self.model.embed_tokens.weight
            trained = self.compact_embed.detach().clone()
            emb.copy_(trained.mean(0).expand_as(emb))
            emb[self.head_active_ids] = trained

    def _logits_for_loss(self, h):
        if not hasattr(self, "head_active"):
            return self.lm_head(h), None
        logits = torch.cat([h @ self.head_active.t(), (h @ self.head_shared)[:, None] + math.log(self.head_inactive)], dim=1)
        return logits, self.head_slot

    def forward(self, ids, pixels=None, counts=None, targets=None):
        """Without `targets`: logits [B, T, vocab] at every position (parity tests). With targets
        [B, T] (next ids, -100 = none): the SUM of their cross-entropies, computing the 32k-wide
        head only at positions that have a target (the caller divides by the global count)."""
        h = self.hidden_states(ids, self.batch_media(pixels, counts))
        if targets is None:
            return self.lm_head(h)
        keep = targets >= 0
        logits, slot = self._logits_for_loss(h[keep])
        want = targets[keep] if slot is None else slot[targets[keep]]
        if slot is not None and bool((want < 0).any()):
            raise ValueError("a target token is outside the compact head's active vocabulary")
        return F.cross_entropy(logits.float(), want, reduction="sum")
