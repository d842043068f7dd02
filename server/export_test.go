package server

// Routes lists the server's routes as "METHOD /path" with echo's :param
// syntax, for the OpenAPI test.
func Routes(s *Server) []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
