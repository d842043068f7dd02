package meetingtest

import (
	"reflect"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

var timeType = reflect.TypeFor[time.Time]()

// fill sets every field reachable from v to a non-zero value: lists of one
// element, maps of one entry, pointers to a filled value; n makes the
// values of two fills differ.
func fill(v reflect.Value, n int) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 12, 7, 1, n, 0, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		v.SetMapIndex(k, e)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	default:
		panic("fill: unexpected kind " + v.Kind().String() + " of " + v.Type().String())
	}
}

// deepCopy returns a copy of v sharing no memory with it.
func deepCopy(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			out.Set(v)
			break
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			break
		}
		out.Set(reflect.MakeSlice(v.Type(), v.Len(), v.Len()))
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(deepCopy(v.Index(i)))
		}
	case reflect.Map:
		if v.IsNil() {
			break
		}
		out.Set(reflect.MakeMap(v.Type()))
		for _, k := range v.MapKeys() {
			out.SetMapIndex(k, deepCopy(v.MapIndex(k)))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			out.Set(reflect.New(v.Type().Elem()))
			out.Elem().Set(deepCopy(v.Elem()))
		}
	default:
		out.Set(v)
	}
	return out
}

// change changes the leaf (or empties the list, map or pointer) number
// target in the walk of v, counting from *i, and reports the path of what
// it changed.
func change(v reflect.Value, path string, i *int, target int) (string, bool) {
	here := func() bool { *i++; return *i-1 == target }
	if v.Type() == timeType {
		if here() {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
			return path, true
		}
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		if here() {
			v.SetString(v.String() + "y")
			return path, true
		}
	case reflect.Int, reflect.Int64:
		if here() {
			v.SetInt(v.Int() + 1)
			return path, true
		}
	case reflect.Bool:
		if here() {
			v.SetBool(!v.Bool())
			return path, true
		}
	case reflect.Struct:
		for f := 0; f < v.NumField(); f++ {
			if v.Type().Field(f).IsExported() {
				if p, ok := change(v.Field(f), path+"."+v.Type().Field(f).Name, i, target); ok {
					return p, true
				}
			}
		}
	case reflect.Slice:
		if here() { // the same values in an empty list instead of none
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return path + " (emptied)", true
		}
		for k := 0; k < v.Len(); k++ {
			if p, ok := change(v.Index(k), path+"[]", i, target); ok {
				return p, true
			}
		}
	case reflect.Map:
		if here() {
			v.Set(reflect.MakeMap(v.Type()))
			return path + " (emptied)", true
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			if p, ok := change(e, path+"[]", i, target); ok {
				v.SetMapIndex(k, e)
				return p, true
			}
		}
	case reflect.Pointer:
		if here() {
			v.Set(reflect.Zero(v.Type()))
			return path + " (nil)", true
		}
		return change(v.Elem(), path, i, target)
	}
	return "", false
}

// TestDiffSeesEveryField changes, one at a time, every field reachable
// from a State (and empties every list, map and pointer) and checks that
// Diff sees it: a field added to the state and not to Diff fails here.
func TestDiffSeesEveryField(t *testing.T) {
	var s meeting.State
	fill(reflect.ValueOf(&s).Elem(), 1)
	if d := Diff(&s, deepCopy(reflect.ValueOf(&s)).Interface().(*meeting.State)); d != "" {
		t.Fatalf("Diff(s, copy of s) = %q; want none", d)
	}
	n := 0
	for target := 0; ; target++ {
		c := deepCopy(reflect.ValueOf(&s)).Interface().(*meeting.State)
		i := 0
		path, ok := change(reflect.ValueOf(c).Elem(), "State", &i, target)
		if !ok {
			break
		}
		n++
		if Diff(&s, c) == "" || Diff(c, &s) == "" {
			t.Errorf("Diff does not see a change of %s: compare it in equal.go", path)
		}
		if reflect.DeepEqual(&s, c) {
			t.Fatalf("changing %s changed nothing: the test is broken", path)
		}
	}
	if n < 200 {
		t.Fatalf("only %d fields changed: the walk misses the state", n)
	}
}

// TestDiffAgreesWithDeepEqual compares Diff with reflect.DeepEqual on the
// states of generated meetings and their fold after a JSON round trip.
func TestDiffAgreesWithDeepEqual(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		_, r, err := Generate(seed, 60, Options{ViewEvery: 1000})
		if err != nil {
			t.Fatal(err)
		}
		views := []*meeting.State{r.State, r.stored, meeting.View(r.State, meeting.Viewer{Role: meeting.RoleObserver, Participant: "p3"})}
		for i, a := range views {
			for j, b := range views {
				if got, want := Diff(a, b) == "", reflect.DeepEqual(a, b); got != want {
					t.Errorf("meeting %d, states %d and %d: Diff = %q; DeepEqual = %v", seed, i, j, Diff(a, b), want)
				}
			}
		}
	}
}
