// Bodies for pbi/testing/certificates.hpp.
#pragma once

#include <pbi/testing/certificates.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace pbi::testing {

namespace detail {

struct openssl_free {
    void operator()(EVP_PKEY* p) const noexcept { ::EVP_PKEY_free(p); }
    void operator()(X509* p) const noexcept { ::X509_free(p); }
    void operator()(BIO* p) const noexcept { ::BIO_free(p); }
    void operator()(X509_EXTENSION* p) const noexcept { ::X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const noexcept { ::BN_free(p); }
};
template <class T>
using openssl_ptr = std::unique_ptr<T, openssl_free>;

[[noreturn]] inline void throw_openssl(const char* what) {
    std::string message = std::string("make_certificates: ") + what;
    if (unsigned long err = ::ERR_get_error()) {
        char buf[256];
        ::ERR_error_string_n(err, buf, sizeof buf);
        message += ": ";
        message += buf;
    }
    ::ERR_clear_error();
    throw std::runtime_error(message);
}

inline void check(int ok, const char* what) {
    if (ok != 1)
        throw_openssl(what);
}

inline openssl_ptr<EVP_PKEY> make_p256_key() {
    openssl_ptr<EVP_PKEY> key(::EVP_EC_gen("P-256"));
    if (!key)
        throw_openssl("EVP_EC_gen");
    return key;
}

inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    openssl_ptr<X509_EXTENSION> ext(::X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext)
        throw_openssl("X509V3_EXT_conf_nid");
    check(::X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// A certificate for `key`, valid [now + not_before, now + not_after], without extensions or signature.
inline openssl_ptr<X509> make_unsigned(EVP_PKEY* key, const std::string& common_name, long not_before,
                                       long not_after) {
    openssl_ptr<X509> cert(::X509_new());
    if (!cert)
        throw_openssl("X509_new");
    check(::X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");

    unsigned char serial[16];
    check(::RAND_bytes(serial, sizeof serial), "RAND_bytes");
    serial[0] &= 0x7f; // positive
    openssl_ptr<BIGNUM> bn(::BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn || !::BN_to_ASN1_INTEGER(bn.get(), ::X509_get_serialNumber(cert.get())))
        throw_openssl("serial number");

    if (!::X509_gmtime_adj(::X509_getm_notBefore(cert.get()), not_before) ||
        !::X509_gmtime_adj(::X509_getm_notAfter(cert.get()), not_after))
        throw_openssl("X509_gmtime_adj");

    X509_NAME* name = ::X509_get_subject_name(cert.get());
    check(::X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("pbi-async testing"), -1, -1,
                                       0),
          "X509_NAME_add_entry_by_txt");
    check(::X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                                       0),
          "X509_NAME_add_entry_by_txt");
    check(::X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    return cert;
}

inline std::string to_pem(X509* cert) {
    openssl_ptr<BIO> bio(::BIO_new(::BIO_s_mem()));
    if (!bio)
        throw_openssl("BIO_new");
    check(::PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    char* data = nullptr;
    const long size = ::BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

inline std::string to_pem(EVP_PKEY* key) {
    openssl_ptr<BIO> bio(::BIO_new(::BIO_s_mem()));
    if (!bio)
        throw_openssl("BIO_new");
    check(::PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long size = ::BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

} // namespace detail

PBI_DECL certificate_bundle make_certificates(const certificate_options& options) {
    using namespace detail;
    constexpr long hour = 3600;
    constexpr long ten_years = 10L * 365 * 24 * hour;

    auto ca_key = make_p256_key();
    auto ca = make_unsigned(ca_key.get(), "pbi-async test CA", -hour, ten_years);
    check(::X509_set_issuer_name(ca.get(), ::X509_get_subject_name(ca.get())), "X509_set_issuer_name");
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    if (::X509_sign(ca.get(), ca_key.get(), ::EVP_sha256()) <= 0)
        throw_openssl("X509_sign (CA)");

    std::string san;
    for (const auto& dns : options.dns_names)
        san += (san.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto& ip : options.ip_addresses)
        san += (san.empty() ? "IP:" : ",IP:") + ip;
    const std::string common_name = !options.dns_names.empty()      ? options.dns_names.front()
                                    : !options.ip_addresses.empty() ? options.ip_addresses.front()
                                                                    : std::string("pbi-async test server");

    auto leaf_key = make_p256_key();
    auto leaf =
        make_unsigned(leaf_key.get(), common_name, static_cast<long>(options.not_before_offset.count()),
                      static_cast<long>(options.not_after_offset.count()));
    check(::X509_set_issuer_name(leaf.get(), ::X509_get_subject_name(ca.get())), "X509_set_issuer_name");
    add_extension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(leaf.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    if (!san.empty())
        add_extension(leaf.get(), ca.get(), NID_subject_alt_name, san);
    if (::X509_sign(leaf.get(), ca_key.get(), ::EVP_sha256()) <= 0)
        throw_openssl("X509_sign (leaf)");

    return certificate_bundle{to_pem(ca.get()), to_pem(leaf.get()), to_pem(leaf_key.get())};
}

PBI_DECL const certificate_bundle& default_certificates() {
    static const certificate_bundle bundle = make_certificates(certificate_options{});
    return bundle;
}

} // namespace pbi::testing
