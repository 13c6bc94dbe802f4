// pbi-async — an Entra ID access token as the token endpoint issued it, with local times.
#pragma once

#include <pbi/config.hpp>
#include <pbi/secret.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace pbi::entra {

/// One answer of the token endpoint. Times are local: `received_at` is when the answer
/// arrived on this machine's steady clock and `expires_at = received_at + lifetime`; the
/// token's own `exp` claim is never read, so a skewed server clock cannot hurt.
struct access_token {
    secret token;                                   ///< the bearer token sent to Power BI
    std::string token_type = "Bearer";              ///< "Bearer" when the server sent none
    std::string scope;                              ///< the scope as granted (not as requested); may be empty
    std::chrono::seconds lifetime{0};               ///< `expires_in`
    std::optional<std::chrono::seconds> refresh_in; ///< `refresh_in`, when the server suggests one
    std::chrono::steady_clock::time_point received_at{};
    std::chrono::steady_clock::time_point expires_at{}; ///< received_at + lifetime
    secret refresh_token;                               ///< empty when none was issued
    std::optional<std::int64_t> expires_on;             ///< v1 only: the absolute expiry, Unix seconds

    /// The value of an Authorization header: "Bearer <token>". Contains the secret.
    std::string authorization_value() const { return token_type + ' ' + token.reveal(); }
};

/// Prints the token type, the token's length, the scope, the lifetime and whether a refresh
/// token came with it; never the token or the refresh token.
PBI_DECL std::ostream& operator<<(std::ostream& os, const access_token& t);

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/access_token.ipp>
#endif
