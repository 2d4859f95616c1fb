// Package sample is go test input for testsummary's tests: one test of each
// kind the summary tells apart. It fails on purpose.
package sample

import "testing"

func TestPasses(t *testing.T) { t.Log("checked something") }

func TestSkipsForData(t *testing.T) { t.Skip("needs the data folder") }

func TestAlsoSkipsForData(t *testing.T) { t.Skipf("needs the %s folder", "data") }

func TestSkipsOnTwoLines(t *testing.T) { t.Skip("needs a GPU\nand its driver") }

func TestHollowParent(t *testing.T) {
	t.Run("a", func(t *testing.T) { t.Skip("needs a GPU") })
	t.Run("b", func(t *testing.T) { t.Skip("needs a GPU") })
}

func TestPartlySkipped(t *testing.T) {
	t.Run("runs", func(t *testing.T) {})
	t.Run("skips", func(t *testing.T) { t.Skip("needs images") })
}

func TestFails(t *testing.T) {
	t.Run("inner", func(t *testing.T) { t.Error("the number is wrong") })
}

func TestSlashedSubtests(t *testing.T) {
	t.Run("model/step/text", func(t *testing.T) {})
	t.Run("model/step/image", func(t *testing.T) { t.Skip("needs images") })
}

func TestOwnWorkBesideASkippedSubtest(t *testing.T) {
	t.Log("compared 2 chunks")
	t.Run("image", func(t *testing.T) { t.Skip("needs images") })
}
