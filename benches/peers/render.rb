# Ruby Liquid 5.4 side of benches/render.rs: reads {"template","partials","data","iterations"}
# as JSON on stdin, parses once, renders `iterations` times, prints
# "<microseconds per render> <output bytes>".
require "json"
require "liquid"

class MemoryFS
  def initialize(partials) = @partials = partials
  def read_template_file(name) = @partials.fetch(name) { raise Liquid::FileSystemError, "no #{name}" }
end

input = JSON.parse($stdin.read)
Liquid::Template.file_system = MemoryFS.new(input["partials"])
template = Liquid::Template.parse(input["template"], error_mode: :lax)
data = input["data"]
out = template.render(data)
n = input["iterations"]
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
n.times { template.render(data) }
t1 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
puts "#{((t1 - t0) / n * 1e6).round(1)} #{out.bytesize}"
