// Security schemes: API keys for the public API, a separate admin token for /v1/admin.
export const SECURITY_SCHEMES = {
  ApiKeyAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "mmgpt_sk_…",
    description: "An API key: `Authorization: Bearer mmgpt_sk_…`. Keys are issued by an admin.",
  },
  AdminToken: {
    type: "http",
    scheme: "bearer",
    description: "The deployment's admin token (secret `ADMIN_TOKEN`), only for `/v1/admin/*`.",
  },
} as const;

export const API_KEY_SECURITY = [{ ApiKeyAuth: [] }];
export const ADMIN_SECURITY = [{ AdminToken: [] }];
export const NO_SECURITY = [];
