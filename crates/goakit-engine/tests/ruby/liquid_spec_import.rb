# Converts Shopify's liquid-spec (YAML, MIT) into goakit-engine's JSON case
# files, with Ruby Liquid 5.4's own output as "expected" (the suite's
# `expected` comes from a later Liquid). Run once, when the vendored copy
# changes:
#   ruby crates/goakit-engine/tests/ruby/liquid_spec_import.rb /work/shared/liquid-spec
# Writes tests/liquid-spec/cases/<suite>.json (usable cases: name, file,
# template, assigns, snippets, expected, spec_expected) and
# tests/liquid-spec/summary.json (per suite: total, usable, apart by reason).
# A case is set apart when it needs Ruby objects (YAML tags such as
# !context_klass..., `instantiate:` drops, custom filters), holds data JSON
# cannot carry (binary strings, dates, symbols, non-string keys), needs the
# benchmark data files, or when Ruby 5.4 refuses it at parse time or raises.
require "json"
require "yaml"
require "date"
require "fileutils"
require_relative "batch"

src = ARGV[0] || "/work/shared/liquid-spec"
out_dir = File.expand_path("../liquid-spec", __dir__)
specs_dir = File.join(src, "specs")
abort "no #{specs_dir}" unless File.directory?(specs_dir)

class Apart < StandardError; end

def tagged(node)
  if node.respond_to?(:tag) && node.tag && !node.tag.start_with?("tag:yaml.org") && node.tag != "!binary"
    return node.tag
  end
  (node.children || []).each do |c|
    t = tagged(c)
    return t if t
  end
  nil
end

# Returns the value as it travels in JSON, or raises Apart when it cannot
# (a !binary string that is UTF-8 text becomes a plain string).
def jsonable!(v, stack = [])
  if v.is_a?(Hash) || v.is_a?(Array)
    raise Apart, "recursive_data" if stack.any? { |o| o.equal?(v) }
    raise Apart, "too_deep" if stack.size > 60
    stack = stack + [v]
  end
  case v
  when Hash
    v.to_h do |k, x|
      raise Apart, "non_string_key" unless k.is_a?(String)
      raise Apart, "drop_instantiate" if k.start_with?("instantiate:")
      [k, jsonable!(x, stack)]
    end
  when Array then v.map { |x| jsonable!(x, stack) }
  when String
    raise Apart, "drop_instantiate" if v.start_with?("instantiate:")
    u = v.dup.force_encoding(Encoding::UTF_8)
    raise Apart, "binary_data" unless u.valid_encoding?
    u
  when Integer, true, false, nil then v
  when Float
    raise Apart, "non_finite_float" unless v.finite?
    v
  else raise Apart, "non_json_value_#{v.class}"
  end
end

def snippets_of(fs)
  return {} if fs.nil?
  raise Apart, "filesystem_not_a_hash" unless fs.is_a?(Hash)
  out = {}
  fs.each do |k, v|
    raise Apart, "filesystem_non_string" unless k.is_a?(String) && v.is_a?(String)
    base = k.sub(/\.liquid\z/i, "")
    # liquid-spec's file system is case-insensitive and adds ".liquid";
    # goakit's snippet map is exact, so store the usual spellings.
    [k, base, "#{base}.liquid", base.downcase, "#{base.downcase}.liquid"].each { |n| out[n] ||= v }
  end
  out
end

def spec_nodes(doc_node)
  root = doc_node.children.first
  if root.is_a?(Psych::Nodes::Mapping)
    pairs = root.children.each_slice(2).to_a
    meta = pairs.find { |k, _| k.value == "_metadata" }&.last
    specs = pairs.find { |k, _| k.value == "specs" }&.last
    [meta ? meta.to_ruby : {}, specs ? specs.children : []]
  elsif root.is_a?(Psych::Nodes::Sequence)
    [{}, root.children]
  else
    [{}, []]
  end
end

suites = Hash.new { |h, k| h[k] = { "usable" => [], "apart" => Hash.new { |hh, kk| hh[kk] = [] } } }
add = lambda do |suite, file, spec_node_or_hash, raw_tag = nil|
  s = suites[suite]
  name = nil
  begin
    spec = spec_node_or_hash
    name = "#{file}/#{spec['name'].to_s.dup.force_encoding(Encoding::UTF_8).scrub}"
    raise Apart, "ruby_object_tag" if raw_tag
    raise Apart, "custom_filters" if spec.key?("filters")
    raise Apart, "ruby_object_option" if %w[context_klass exception_renderer template_factory].any? { |k| spec.key?(k) }
    env = spec["environment"] || {}
    raise Apart, "environment_not_a_hash" unless env.is_a?(Hash)
    env = jsonable!(env)
    tpl = spec["template"]
    raise Apart, "no_template" unless tpl.is_a?(String)
    tpl = jsonable!(tpl)
    snippets = jsonable!(snippets_of(spec["filesystem"]))
    c = { "name" => name, "file" => file, "template" => tpl, "assigns" => env, "snippets" => snippets }
    # Ruby renders exactly what goakit will read: the JSON text.
    c = JSON.parse(JSON.generate(c))
    res = GoakitBatch.utf8(GoakitBatch.render_one(c))
    raise Apart, "ruby_5_4_parse_error" if res.key?("error")
    raise Apart, "ruby_5_4_raised" if res.key?("raised")
    c["expected"] = res
    if spec["expected"].is_a?(String)
      begin
        c["spec_expected"] = jsonable!(spec["expected"])
      rescue Apart
        nil
      end
    end
    s["usable"] << c
  rescue Apart => e
    s["apart"][e.message] << (name || "#{file}/#{spec_node_or_hash.is_a?(Hash) ? spec_node_or_hash['name'] : '?'}")
  end
end

Dir[File.join(specs_dir, "**", "*.yml")].sort.each do |path|
  rel = path.delete_prefix(specs_dir + "/")
  next if File.basename(path) == "suite.yml" || rel.include?("/_data/")
  suite = rel.split("/").first
  if File.basename(path) == "environment.yml"
    # shopify_theme_dawn: a directory per case.
    dir = File.dirname(path)
    file = rel.delete_suffix("/environment.yml")
    tag = tagged(YAML.parse_file(path))
    env = tag ? {} : YAML.unsafe_load_file(path)
    spec = { "name" => File.basename(dir), "template" => File.read(File.join(dir, "template.liquid")),
             "environment" => env }
    exp = File.join(dir, "expected.html")
    spec["expected"] = File.read(exp) if File.exist?(exp)
    add.call(suite, file.sub(%r{/[^/]+\z}, ""), spec, tag)
    next
  end
  file = rel.delete_suffix(".yml")
  meta, nodes = spec_nodes(YAML.parse_file(path))
  # Values from the whole document, so aliases resolve; tags from the nodes.
  loaded = YAML.unsafe_load_file(path)
  loaded = loaded["specs"] if loaded.is_a?(Hash)
  loaded = [] unless loaded.is_a?(Array)
  nodes.each_with_index do |n, i|
    tag = tagged(n)
    spec = loaded[i]
    next unless spec.is_a?(Hash)
    if meta.is_a?(Hash) && meta["data_files"]
      suites[suite]["apart"]["benchmark_data_file"] << "#{file}/#{spec['name']}"
      next
    end
    add.call(suite, file, spec, tag)
  end
end

FileUtils.mkdir_p(File.join(out_dir, "cases"))
Dir[File.join(out_dir, "cases", "*.json")].each { |f| File.delete(f) }
summary = { "source" => File.read(File.join(src, "SOURCE")).lines.first.to_s.strip, "suites" => {} }
suites.sort.each do |suite, s|
  names = s["usable"].map { |c| c["name"] }
  seen = Hash.new(0)
  s["usable"].each do |c|
    seen[c["name"]] += 1
    c["name"] = "#{c['name']}##{seen[c['name']]}" if seen[c["name"]] > 1
  end
  File.write(File.join(out_dir, "cases", "#{suite}.json"), JSON.pretty_generate(s["usable"]) + "\n") unless s["usable"].empty?
  apart = s["apart"].sort.to_h
  summary["suites"][suite] = {
    "total" => names.size + apart.values.sum(&:size),
    "usable" => names.size,
    "apart" => apart.transform_values(&:size),
    "apart_cases" => apart,
  }
end
tot = summary["suites"].values
summary["total"] = tot.sum { |x| x["total"] }
summary["usable"] = tot.sum { |x| x["usable"] }
reasons = Hash.new(0)
tot.each { |x| x["apart"].each { |k, v| reasons[k] += v } }
summary["apart"] = reasons.sort.to_h
File.write(File.join(out_dir, "summary.json"), JSON.pretty_generate(summary) + "\n")
summary["suites"].each { |k, v| puts "#{k}: #{v['total']} total, #{v['usable']} usable, apart #{v['apart']}" }
puts "all: #{summary['total']} total, #{summary['usable']} usable, apart #{summary['apart']}"
