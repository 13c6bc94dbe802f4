// Bodies for pbi/entra/access_token.hpp.
#pragma once

#include <pbi/entra/access_token.hpp>

namespace pbi::entra {

PBI_DECL std::ostream& operator<<(std::ostream& os, const access_token& t) {
    os << "access_token{type=" << t.token_type << ", length=" << t.token.size();
    if (!t.scope.empty())
        os << ", scope=" << t.scope;
    os << ", lifetime=" << t.lifetime.count() << "s";
    if (t.refresh_in)
        os << ", refresh_in=" << t.refresh_in->count() << "s";
    if (t.expires_on)
        os << ", expires_on=" << *t.expires_on;
    os << ", refresh_token=" << (t.refresh_token.empty() ? "no" : "yes") << '}';
    return os;
}

} // namespace pbi::entra
