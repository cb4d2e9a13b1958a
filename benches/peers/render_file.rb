# Ruby Liquid 5.4 side of the whole-process rows of benches/render.rs: what
# `goakit render PAGE --offline --dir DIR` does, as a plain Ruby script.
#
#   ruby render_file.rb DIR PAGE > page.html
#
# Reads DIR/preview/project.json and DIR/preview/api/{root,PAGE}.json (page
# keys over root's), renders templates/pages/PAGE.html and then root.html
# with the page in `{% yield %}`; every template sees its own `l`
# (locales/<kind>/<name>.json, "en"), as in Goaddon.
require "json"
require "liquid"

DIR, PAGE = ARGV
abort "usage: ruby render_file.rb DIR PAGE" unless DIR && PAGE

def json_file(path, fallback = {})
  File.exist?(path) ? JSON.parse(File.read(path)) : fallback
end

LOCALES = Hash.new do |h, key|
  h[key] = json_file(File.join(DIR, "locales", "#{key}.json")).fetch("en", {})
end

class SnippetFS
  def read_template_file(name)
    File.read(File.join(DIR, "templates", "snippets", "#{name}.html"))
  rescue Errno::ENOENT
    raise Liquid::FileSystemError, "No such template '#{name}'"
  end
end

# Ruby's include, with the snippet's own `l` set after the attributes are
# evaluated (they see the includer's `l`, as in goakit).
class LocalizedInclude < Liquid::Include
  prepend Liquid::Tag::Disableable

  def render_to_output_buffer(context, output)
    template_name = context.evaluate(@template_name_expr)
    raise ArgumentError, options[:locale].t("errors.argument.include") unless template_name

    partial = Liquid::PartialCache.load(template_name, context: context, parse_context: options)
    context_variable_name = @alias_name || template_name.split("/").last
    variable = if @variable_name_expr
      context.evaluate(@variable_name_expr)
    else
      context.find_variable(template_name, raise_on_not_found: false)
    end
    old_template_name = context.template_name
    old_partial = context.partial
    begin
      context.template_name = template_name
      context.partial = true
      context.stack do
        @attributes.each { |key, value| context[key] = context.evaluate(value) }
        context["l"] = LOCALES["snippets/#{template_name}"]
        if variable.is_a?(Array)
          variable.each do |var|
            context[context_variable_name] = var
            partial.render_to_output_buffer(context, output)
          end
        else
          context[context_variable_name] = variable
          partial.render_to_output_buffer(context, output)
        end
      end
    ensure
      context.template_name = old_template_name
      context.partial = old_partial
    end
    output
  end
end

class YieldTag < Liquid::Tag
  def render_to_output_buffer(context, output)
    output << context.registers[:yield].to_s
  end
end

Liquid::Template.register_tag("include", LocalizedInclude)
Liquid::Template.register_tag("yield", YieldTag)
Liquid::Template.file_system = SnippetFS.new

api = json_file(File.join(DIR, "preview", "api", "root.json"))
api = api.merge(json_file(File.join(DIR, "preview", "api", "#{PAGE}.json"))) if PAGE != "root"
globals = {
  "project" => json_file(File.join(DIR, "preview", "project.json")),
  "locale" => "en",
  "page" => { "name" => PAGE },
  "params" => {},
  "api" => api,
}

def render(name, globals, yield_html = nil)
  source = File.read(File.join(DIR, "templates", "pages", "#{name}.html"))
  template = Liquid::Template.parse(source, error_mode: :lax)
  template.render(globals.merge("l" => LOCALES["pages/#{name}"]), registers: { yield: yield_html })
end

page_html = render(PAGE, globals)
$stdout.write(render("root", globals, page_html))
