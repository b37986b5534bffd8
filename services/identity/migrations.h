#pragma once

#include <vector>

#include "common/migrations.h"

namespace aftersales::identity {

// The schema of the identity database, compiled in from services/identity/migrations/*.sql.
const std::vector<aftersales::Migration>& Migrations();

}  // namespace aftersales::identity
