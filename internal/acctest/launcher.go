package acctest

// MotoPython returns the Python interpreter that runs the moto_server script at path. The benchmark
// (bench/emulator.go) runs scripts/moto-tls.py with it, as Main does, so both import the very moto that
// MOTO_SERVER names and neither keeps a second copy of how to find it.
func MotoPython(path string) (string, error) { return motoPython(path) }
