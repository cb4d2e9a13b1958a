# (Re)fills "expected" in every tests/cases/*.json (or the files named on the
# command line) with what Ruby Liquid 5.4 gives, via batch.rb's renderer:
#   ruby crates/goakit-engine/tests/ruby/expect.rb [files...]
# Each case keeps name, template, assigns, snippets; expected becomes
# {"output": ...}, {"error": ...} or {"raised": ...}.
require "json"
require_relative "batch"

dir = File.expand_path("../cases", __dir__)
files = ARGV.empty? ? Dir[File.join(dir, "*.json")].sort : ARGV
total = 0
files.each do |path|
  cases = JSON.parse(File.read(path))
  names = cases.map { |c| c["name"] }
  dups = names.group_by(&:itself).select { |_, v| v.size > 1 }.keys
  abort "#{path}: duplicate case names #{dups.inspect}" unless dups.empty?
  results = GoakitBatch.run(cases)
  filled = cases.map do |c|
    {
      "name" => c["name"],
      "template" => c["template"],
      "assigns" => c["assigns"] || {},
      "snippets" => c["snippets"] || {},
      "expected" => results.fetch(c["name"]),
    }
  end
  File.write(path, JSON.pretty_generate(filled) + "\n")
  total += filled.size
  puts "#{File.basename(path)}: #{filled.size} cases"
end
puts "total: #{total}"
