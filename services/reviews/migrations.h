#pragma once

#include <vector>

#include "common/migrations.h"

namespace aftersales::reviews {

// The schema of the reviews database, compiled in from services/reviews/migrations/*.sql.
const std::vector<aftersales::Migration>& Migrations();

}  // namespace aftersales::reviews
