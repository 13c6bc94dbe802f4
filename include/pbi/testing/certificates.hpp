// pbi-async — test certificates generated in memory with OpenSSL: a CA and a leaf it signs.
#pragma once

#include <pbi/config.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace pbi::testing {

struct certificate_options {
    std::vector<std::string> dns_names{"localhost"};
    std::vector<std::string> ip_addresses{"127.0.0.1"};
    /// Validity of the leaf relative to now (negative values make an expired certificate).
    std::chrono::seconds not_before_offset{-3600};
    std::chrono::seconds not_after_offset{std::chrono::hours(24 * 30)};
};

/// A CA certificate and a leaf certificate + private key it signed, all PEM; P-256 keys.
struct certificate_bundle {
    std::string ca_cert_pem;
    std::string leaf_cert_pem;
    std::string leaf_key_pem;
};

/// Generates a fresh CA and leaf. Throws std::runtime_error if OpenSSL fails.
PBI_DECL certificate_bundle make_certificates(const certificate_options& options = {});

/// One bundle per process for localhost/127.0.0.1, generated on first use (thread-safe).
PBI_DECL const certificate_bundle& default_certificates();

} // namespace pbi::testing

#if defined(PBI_HEADER_ONLY)
#include <pbi/testing/impl/certificates.ipp>
#endif
