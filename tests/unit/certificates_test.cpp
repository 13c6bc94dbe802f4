// pbi::testing certificates: what the generated CA and leaf contain, checked with OpenSSL itself.
#include <pbi/testing/certificates.hpp>

#include <catch2/catch.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>

namespace {

struct x509_deleter {
    void operator()(X509* p) const { X509_free(p); }
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
using cert_ptr = std::unique_ptr<X509, x509_deleter>;
using key_ptr = std::unique_ptr<EVP_PKEY, x509_deleter>;

cert_ptr parse_cert(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  &BIO_free);
    return cert_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

key_ptr parse_key(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  &BIO_free);
    return key_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// X509_V_OK or the verification error of `leaf` against `ca` alone.
int verify(X509* ca, X509* leaf) {
    std::unique_ptr<X509_STORE, x509_deleter> store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), ca);
    std::unique_ptr<X509_STORE_CTX, x509_deleter> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    const int ok = X509_verify_cert(ctx.get());
    return ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

std::string group_name(EVP_PKEY* key) {
    char name[64] = {};
    std::size_t len = 0;
    EVP_PKEY_get_group_name(key, name, sizeof name, &len);
    return std::string(name, len);
}

} // namespace

TEST_CASE("generated certificates parse back as a P-256 CA and a leaf it signed", "[testing][certificates]") {
    const auto bundle = pbi::testing::make_certificates();
    auto ca = parse_cert(bundle.ca_cert_pem);
    auto leaf = parse_cert(bundle.leaf_cert_pem);
    auto key = parse_key(bundle.leaf_key_pem);
    REQUIRE(ca);
    REQUIRE(leaf);
    REQUIRE(key);

    CHECK(X509_check_ca(ca.get()) >= 1);
    CHECK(X509_check_ca(leaf.get()) == 0);
    CHECK((X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN) != 0);
    CHECK((X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER) != 0);
    CHECK(X509_check_private_key(leaf.get(), key.get()) == 1);
    CHECK(group_name(key.get()) == "prime256v1");
    CHECK(group_name(X509_get0_pubkey(ca.get())) == "prime256v1");
    CHECK(X509_get_signature_nid(leaf.get()) == NID_ecdsa_with_SHA256);
    CHECK(verify(ca.get(), leaf.get()) == X509_V_OK);
}

TEST_CASE("the leaf carries the requested DNS and IP subject alternative names", "[testing][certificates]") {
    pbi::testing::certificate_options o;
    o.dns_names = {"localhost", "emulator.test"};
    o.ip_addresses = {"127.0.0.1", "::1"};
    auto leaf = parse_cert(pbi::testing::make_certificates(o).leaf_cert_pem);
    REQUIRE(leaf);

    CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf.get(), "emulator.test", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr) == 0);
    CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "::1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "10.0.0.1", 0) == 0);
}

TEST_CASE("validity offsets make expired and not-yet-valid leaves", "[testing][certificates]") {
    pbi::testing::certificate_options expired;
    expired.not_before_offset = -std::chrono::hours(48);
    expired.not_after_offset = -std::chrono::hours(24);
    auto e = pbi::testing::make_certificates(expired);
    CHECK(verify(parse_cert(e.ca_cert_pem).get(), parse_cert(e.leaf_cert_pem).get()) ==
          X509_V_ERR_CERT_HAS_EXPIRED);

    pbi::testing::certificate_options future;
    future.not_before_offset = std::chrono::hours(24);
    future.not_after_offset = std::chrono::hours(48);
    auto f = pbi::testing::make_certificates(future);
    CHECK(verify(parse_cert(f.ca_cert_pem).get(), parse_cert(f.leaf_cert_pem).get()) ==
          X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_CASE("a leaf does not verify against another bundle's CA", "[testing][certificates]") {
    auto a = pbi::testing::make_certificates();
    auto b = pbi::testing::make_certificates();
    CHECK(a.ca_cert_pem != b.ca_cert_pem);
    CHECK(verify(parse_cert(a.ca_cert_pem).get(), parse_cert(b.leaf_cert_pem).get()) != X509_V_OK);
}

TEST_CASE("default_certificates is generated once per process", "[testing][certificates]") {
    const auto& first = pbi::testing::default_certificates();
    const auto& second = pbi::testing::default_certificates();
    CHECK(&first == &second);
    auto leaf = parse_cert(first.leaf_cert_pem);
    REQUIRE(leaf);
    CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
}
