#pragma once

#include "result.h"

#include <QString>

namespace tessera {

// The base URL of an account as the user typed or pasted it, checked and put in the one form adapters
// join paths to ("https://api.kie.ai", "https://gateway.example/openai", "http://127.0.0.1:8080").
//
// - Spaces around it are trimmed. Without a scheme, https:// is assumed, or http:// for a loopback host
//   ("127.0.0.1:8080" is a local proxy, which almost never speaks TLS).
// - HTTPS is required except for loopback hosts: 127.0.0.0/8, ::1, localhost (PROVIDERS.md, "General
//   rules for every family").
// - No user name or password (the key has its own field), no query, no fragment — except after a pasted
//   API path, where they belong to that request and go with it.
// - Host and scheme in lower case, a default port (:443, :80) dropped, empty and dot segments and
//   trailing slashes removed.
// - A pasted API path is cut back to the base: the path is cut at the first segment where one of these
//   begins (letter case ignored), whatever follows it:
//       /api/v1/mj                                   kie (PROVIDERS.md §3)
//       /api/v1/generateTask, /api/v1/statusTask     apixo (§2)
//       /v1/midjourney, /v1/status                   kolersky (§1)
//       /mj/submit, /mj/task                         midjourney-proxy (§4)
//   and a path that ends in /api/v1, /v1 or /mj loses that ending (every family adds its own, so it
//   would be doubled). Anything before the cut is kept: gateways live under sub-paths
//   ("https://gateway.example/openai"), and a speed prefix pasted with an mjproxy path
//   ("https://host/mj-fast/mj/submit/imagine" → "https://host/mj-fast") still reaches the same URLs.
//   Other paths are kept as typed.
//
// Failures are InvalidRequest errors whose message starts with "Base URL:" and names the problem.
Result<QString> normalizeBaseUrl(const QString &input);

} // namespace tessera
