package web

import (
	"os"
	"testing"

	"storefront/models"
)

// TestMain hashes the tests' passwords at bcrypt's least cost: the package
// makes hundreds of accounts (150 in one crowd test alone), each a fifth of
// a second of CPU at the shop's cost, and none of its tests is about the cost
// (models' tests are).
func TestMain(m *testing.M) {
	models.LowerPasswordCostForTests()
	os.Exit(m.Run())
}
