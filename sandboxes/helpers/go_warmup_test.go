package warmup_test

// Compiled once to seed a Go build cache with the standard packages the benchmark programs
// import; each program gets a private copy of the seed (sandboxes/batching.py).
import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestWarmup(t *testing.T) {
	_ = fmt.Sprint(math.Pi, reflect.TypeOf(1), regexp.MustCompile("a"), sort.IntsAreSorted(nil),
		strconv.Itoa(1), strings.ToUpper("a"), unicode.IsUpper('a'), utf8.RuneLen('a'))
}
