#pragma once

#include <vector>

#include "common/migrations.h"

namespace aftersales::claims {

// The schema of the claims database, compiled in from services/claims/migrations/*.sql.
const std::vector<aftersales::Migration>& Migrations();

}  // namespace aftersales::claims
