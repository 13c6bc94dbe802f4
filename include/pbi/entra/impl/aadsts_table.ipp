// The AADSTS table of pbi/entra/token_codec.hpp: each code of WIRE.md §1, the pbi::errc it maps
// to and the hint an operator reads. Included by token_codec.ipp only.
#pragma once

#include <pbi/entra/token_codec.hpp>

namespace pbi::entra::detail::token_codec {

// WIRE.md §1, in its order. Hints name only what the SDK can do today (password grant, client
// secret) and Entra-side remedies; flows the SDK lacks are named as Entra options, never as
// something to switch on here. README.md's "When sign-in fails" is checked against this table.
inline constexpr aadsts_cause aadsts_table[] = {
    {50126, errc::invalid_credentials,
     "check the user name and password; a federated (ADFS) account also fails this way, and the token "
     "source then runs realm discovery and reports federated_account. Do not retry with the same password: "
     "repeated failures lock the account"},
    {50034, errc::user_not_found,
     "check the user name, and that the user belongs to this tenant (tenant id) and cloud"},
    {50053, errc::account_locked,
     "stop signing in with this account for a while (smart lockout), then check the configured password; an "
     "administrator can unlock it"},
    {50055, errc::password_expired, "change the account's password, then update it in this configuration"},
    {50057, errc::account_disabled, "ask an administrator to enable the account in Entra ID"},
    {50076, errc::mfa_required,
     "the account must pass multi-factor authentication, which the password grant cannot do: use a service "
     "account exempt from MFA (a Conditional Access exclusion), or a service principal (client credentials); "
     "Entra's device-code flow also satisfies MFA, but this SDK does not offer it yet"},
    {50079, errc::mfa_required,
     "the account must register for MFA, which the password grant cannot do: use a service account exempt "
     "from MFA, or a service principal (client credentials); Entra's device-code flow is another option, not "
     "offered by this SDK yet"},
    {50158, errc::mfa_required,
     "an external security challenge is required, which the password grant cannot answer: use a service "
     "account exempt from it, or a service principal (client credentials)"},
    {53003, errc::conditional_access_blocked,
     "ask an administrator to exclude this account or app from the Conditional Access policy, or use a "
     "service principal (client credentials)"},
    {530035, errc::conditional_access_blocked,
     "security defaults block the password grant (legacy authentication): use a service principal (client "
     "credentials), or ask an administrator to change the policy"},
    {50173, errc::refresh_token_expired,
     "sign in again with the credential's own grant (user name and password, or client secret)"},
    {700082, errc::refresh_token_expired,
     "sign in again with the credential's own grant (user name and password, or client secret)"},
    {70043, errc::refresh_token_expired,
     "sign in again with the credential's own grant; a Conditional Access sign-in frequency policy limits "
     "the refresh token's lifetime"},
    {700081, errc::refresh_token_expired,
     "sign in again with the credential's own grant (user name and password, or client secret)"},
    {65001, errc::consent_required,
     "an administrator must grant consent for the app's Power BI API permissions (app registration, API "
     "permissions, Grant admin consent)"},
    {50105, errc::user_not_assigned,
     "assign the user to the application (Enterprise applications, Users and groups), or turn off "
     "'Assignment required'"},
    {700016, errc::app_not_found,
     "check the client id, the tenant id and the cloud: the app registration must exist in this tenant"},
    {7000112, errc::app_disabled, "ask an administrator to enable the application in Entra ID"},
    {7000215, errc::client_secret_invalid,
     "check the client secret: use the secret's Value, not its Secret ID, and check that it belongs to this "
     "client id"},
    {7000222, errc::client_secret_expired,
     "create a new client secret for the app registration and update it in this configuration"},
    {7000218, errc::client_secret_missing,
     "the app is a confidential client: configure its client secret, or enable 'Allow public client flows' "
     "on the app registration"},
    {700025, errc::public_client_sent_secret,
     "the app is a public client: remove the client secret from this configuration"},
    {700024, errc::clock_skew, "synchronise this machine's clock (NTP)"},
    {90002, errc::tenant_not_found,
     "check the tenant id or domain and the cloud (a national-cloud tenant is not found in the public "
     "cloud)"},
    {90014, errc::malformed_token_request,
     "the token request lacked a field: a proxy may have rewritten the body; report it with the trace id"},
    {900144, errc::malformed_token_request,
     "the token request lacked a field: a proxy may have rewritten the body; report it with the trace id"},
    {500011, errc::wrong_cloud,
     "check the cloud setting and the scope: Power BI was not found for this tenant (a national-cloud tenant "
     "needs its own cloud preset), or the scope is misspelled"},
    {70011, errc::invalid_scope, "check the scope: the Power BI resource followed by /.default"},
    {28000, errc::invalid_scope, "ask for scopes of one resource only"},
    {28003, errc::invalid_scope, "send a scope: the Power BI resource followed by /.default"},
    {1002012, errc::invalid_scope,
     "a client-credentials scope must be a resource followed by /.default (Power BI in the public cloud: "
     "https://analysis.windows.net/powerbi/api/.default), not a list of permissions"},
    {50196, errc::request_loop_throttled,
     "too many identical sign-ins in a short time: back off, and reuse cached tokens instead of requesting "
     "one per call"},
    {90055, errc::throttled, "Entra ID is throttling this tenant or app: retry later"},
    {90024, errc::throttled, "Entra ID is temporarily unavailable: retry later"},
    {50033, errc::throttled, "a transient Entra ID failure: retry later"},
    {90006, errc::throttled, "a transient Entra ID failure: retry later"},
};

} // namespace pbi::entra::detail::token_codec
