# The Ruby Liquid 5.4 reference for tests/fidelity.rs. Reads a JSON array of
# {"name","template","assigns","snippets"} on stdin and prints a JSON object
# {name: output}, rendering as Goaddon does (lax parsing, errors inline).
require "json"
require "liquid"

class SnippetFS
  def initialize(snippets) = @snippets = snippets
  def read_template_file(name)
    @snippets.fetch(name) { raise Liquid::FileSystemError, "No such template '#{name}'" }
  end
end

cases = JSON.parse($stdin.read)
out = {}
cases.each do |c|
  begin
    template = Liquid::Template.parse(c["template"], error_mode: :lax)
    fs = SnippetFS.new(c["snippets"] || {})
    out[c["name"]] = template.render(c["assigns"] || {}, registers: { file_system: fs })
  rescue => e
    out[c["name"]] = "RUBY-ERROR: #{e.class}: #{e.message}"
  end
end
puts JSON.generate(out)
