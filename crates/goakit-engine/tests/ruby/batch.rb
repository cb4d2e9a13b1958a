# Ruby Liquid 5.4 reference for goakit-engine's differential tests.
#
# Reads a JSON array of {"name","template","assigns","snippets"} on stdin and
# prints one JSON object {name => result}, where result is
#   {"output": "..."}            the rendered text (errors inline, lax parsing),
#   {"error": "..."}             the message of an error raised at parse time,
#   {"raised": "Class: message"} an exception escaping render.
# Renders as Liquid::Template.parse(source).render(assigns, registers:
# {file_system: fs}) with default options; fs.read_template_file(name) returns
# snippets[name] or raises Liquid::FileSystemError "No such template 'name'".
# JSON.parse keeps big integers as Integer, so assigns beyond 64 bits survive.
require "json"
require "liquid"
require "timeout"

module GoakitBatch
  # A generated template can ask for a huge range or string; keep one case
  # from stalling or eating the machine (it is reported as "raised").
  CASE_SECONDS = 2
  class SnippetFS
    def initialize(snippets)
      @snippets = snippets
    end

    def read_template_file(name)
      @snippets.fetch(name) { raise Liquid::FileSystemError, "No such template '#{name}'" }
    end
  end

  def self.render_one(c)
    begin
      template = Liquid::Template.parse(c["template"].to_s)
    rescue StandardError, SystemStackError => e
      return { "error" => e.message }
    end
    begin
      fs = SnippetFS.new(c["snippets"] || {})
      assigns = c["assigns"]
      assigns = {} unless assigns.is_a?(Hash)
      # Render mutates its environment ({% increment %} writes into it): work
      # on a deep copy so the caller's case (and a file written from it) stays.
      assigns = Marshal.load(Marshal.dump(assigns))
      output = Timeout.timeout(CASE_SECONDS) do
        template.render(assigns, registers: { file_system: fs })
      end
      { "output" => output }
    rescue Timeout::Error
      { "raised" => "Timeout: Ruby took more than #{CASE_SECONDS}s" }
    rescue NoMemoryError => e
      { "raised" => "NoMemoryError: #{e.message}" }
    rescue StandardError, SystemStackError => e
      { "raised" => "#{e.class}: #{e.message}" }
    end
  end

  # Outputs can hold bytes that are not UTF-8 (base64_decode gives binary
  # strings): read them as UTF-8 with U+FFFD for each invalid byte sequence,
  # as a Rust String holding the same bytes lossily would.
  def self.utf8(result)
    result.transform_values do |v|
      next v unless v.is_a?(String)
      v = v.dup.force_encoding(Encoding::UTF_8)
      v.valid_encoding? ? v : v.scrub("\uFFFD")
    end
  end

  def self.run(cases)
    out = {}
    cases.each { |c| out[c["name"]] = utf8(render_one(c)) }
    out
  end
end

if $PROGRAM_NAME == __FILE__
  begin
    Process.setrlimit(:AS, 4 << 30)
  rescue StandardError, NotImplementedError
    nil
  end
  cases = JSON.parse($stdin.read)
  puts JSON.generate(GoakitBatch.run(cases))
end
