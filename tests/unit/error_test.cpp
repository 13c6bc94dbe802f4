// pbi::errc values belong to classes callers can test with pbi::condition.
#include <pbi/error.hpp>

#include <catch2/catch.hpp>

#include <asio/error.hpp>

#include <set>
#include <string>

TEST_CASE("every pbi error has a message in plain words") {
    for (int v = static_cast<int>(pbi::errc::invalid_argument);
         v <= static_cast<int>(pbi::errc::export_failed); ++v) { // the last enumerator
        auto ec = pbi::make_error_code(static_cast<pbi::errc>(v));
        CHECK(ec.message() != "unknown pbi error");
        CHECK(std::string(ec.category().name()) == "pbi");
    }
}

TEST_CASE("timeouts, resets, throttling and 5xx are retryable; sign-in failures are not") {
    CHECK(pbi::make_error_code(pbi::errc::timeout) == pbi::condition::retryable);
    CHECK(pbi::make_error_code(pbi::errc::server_error) == pbi::condition::retryable);
    CHECK(pbi::make_error_code(pbi::errc::throttled) == pbi::condition::retryable);
    CHECK(std::error_code(asio::error::connection_reset) == pbi::condition::retryable);
    CHECK(std::error_code(asio::error::connection_refused) == pbi::condition::retryable);
    CHECK(pbi::make_error_code(pbi::errc::invalid_credentials) != pbi::condition::retryable);
    CHECK(pbi::make_error_code(pbi::errc::account_locked) != pbi::condition::retryable);
}

TEST_CASE("sign-in and authorisation failures are auth errors") {
    CHECK(pbi::make_error_code(pbi::errc::invalid_credentials) == pbi::condition::auth);
    CHECK(pbi::make_error_code(pbi::errc::mfa_required) == pbi::condition::auth);
    CHECK(pbi::make_error_code(pbi::errc::token_expired) == pbi::condition::auth);
    CHECK(pbi::make_error_code(pbi::errc::request_loop_throttled) != pbi::condition::auth);
    CHECK(pbi::make_error_code(pbi::errc::request_loop_throttled) == pbi::condition::throttled);
    CHECK(pbi::make_error_code(pbi::errc::timeout) != pbi::condition::auth);
}

TEST_CASE("wrong ids, secrets, clouds and URLs are configuration errors") {
    CHECK(pbi::make_error_code(pbi::errc::tenant_not_found) == pbi::condition::configuration);
    CHECK(pbi::make_error_code(pbi::errc::client_secret_expired) == pbi::condition::configuration);
    CHECK(pbi::make_error_code(pbi::errc::wrong_cloud) == pbi::condition::configuration);
    CHECK(pbi::make_error_code(pbi::errc::invalid_url) == pbi::condition::configuration);
    CHECK(pbi::make_error_code(pbi::errc::invalid_credentials) != pbi::condition::configuration);
}

TEST_CASE("network, TLS and framing failures are transport errors; server answers are not") {
    CHECK(pbi::make_error_code(pbi::errc::certificate_untrusted) == pbi::condition::transport);
    CHECK(pbi::make_error_code(pbi::errc::partial_message) == pbi::condition::transport);
    CHECK(pbi::make_error_code(pbi::errc::header_limit_exceeded) == pbi::condition::transport);
    CHECK(std::error_code(asio::error::connection_refused) == pbi::condition::transport);
    CHECK(pbi::make_error_code(pbi::errc::server_error) != pbi::condition::transport);
    CHECK(pbi::make_error_code(pbi::errc::malformed_json) != pbi::condition::transport);
}

TEST_CASE("every pbi error has a distinct name for machine-readable output") {
    std::set<std::string> names;
    for (int v = static_cast<int>(pbi::errc::invalid_argument);
         v <= static_cast<int>(pbi::errc::export_failed); ++v) { // the last enumerator
        std::string name = pbi::to_string(static_cast<pbi::errc>(v));
        CHECK(name != "unknown");
        CHECK(names.insert(name).second);
    }
    CHECK(std::string(pbi::to_string(pbi::errc::federated_account)) == "federated_account");
    CHECK(std::string(pbi::to_string(pbi::errc::invalid_credentials)) == "invalid_credentials");
    CHECK(std::string(pbi::to_string(static_cast<pbi::errc>(9999))) == "unknown");
}

TEST_CASE("a federated account and MFA are sign-in failures that no retry heals") {
    for (auto e : {pbi::errc::federated_account, pbi::errc::mfa_required, pbi::errc::invalid_credentials,
                   pbi::errc::account_locked}) {
        INFO(pbi::to_string(e));
        CHECK(pbi::make_error_code(e) == pbi::condition::auth);
        CHECK(pbi::make_error_code(e) != pbi::condition::retryable);
    }
}

TEST_CASE("error_name gives SDK errors and the OS's network errors names scripts can match") {
    CHECK(pbi::error_name(pbi::errc::invalid_credentials) == "invalid_credentials");
    CHECK(pbi::error_name(asio::error::connection_refused) == "connection_refused");
    CHECK(pbi::error_name(asio::error::connection_reset) == "connection_reset");
    CHECK(pbi::error_name(asio::error::host_not_found) == "host_not_found");
    CHECK(pbi::error_name(asio::error::eof) == "eof");
    // Anything else keeps its category and number.
    const std::error_code other = asio::error::no_permission;
    CHECK(pbi::error_name(other) ==
          std::string(other.category().name()) + ":" + std::to_string(other.value()));
}
