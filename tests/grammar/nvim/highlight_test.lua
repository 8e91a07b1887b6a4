-- Loads the compiled WIT parser and highlights.scm into Neovim (0.7+), opens every
-- fixture in a buffer, attaches the tree-sitter highlighter and checks that the capture
-- drawn at each `// ^ capture` mark is the expected one (innermost node, later pattern
-- winning, as the highlighter paints them).
local function out(msg) io.stdout:write(msg .. '\n') end
local function finish(code)
  io.stdout:flush()
  vim.cmd((code == 0 and 'qa!' or ('cq ' .. code)))
end

local ok, err = xpcall(function()
  local so, scm, dir = os.getenv('WITC_TS_SO'), os.getenv('WITC_TS_SCM'), os.getenv('WITC_FIXTURES')
  local ts = vim.treesitter
  if ts.language.add then
    ts.language.add('wit', { path = so })
  else
    ts.require_language('wit', so)
  end
  local text = table.concat(vim.fn.readfile(scm), '\n')
  local query = (ts.query.parse or ts.parse_query)('wit', text)
  if ts.query.set then ts.query.set('wit', 'highlights', text) else ts.set_query('wit', 'highlights', text) end

  local failures, checked = 0, 0
  for _, name in ipairs(vim.fn.readdir(dir)) do
    if name:match('%.wit$') then
      local path = dir .. '/' .. name
      vim.cmd('edit ' .. vim.fn.fnameescape(path))
      local buf = vim.api.nvim_get_current_buf()
      local parser = ts.get_parser(buf, 'wit')
      local tree = parser:parse()[1]
      local root = tree:root()
      if root:has_error() then
        out(name .. ': the tree has errors')
        failures = failures + 1
      end
      -- the editor's own highlighter must attach to the buffer without error
      ts.highlighter.new(parser)

      -- every capture with its range and pattern, predicates applied by Neovim
      local caps = {}
      for pattern, match in query:iter_matches(root, buf, 0, -1) do
        for id, node in pairs(match) do
          if type(node) == 'table' then node = node[#node] end
          local sr, sc, er, ec = node:range()
          table.insert(caps, { name = query.captures[id], sr = sr, sc = sc, er = er, ec = ec, pattern = pattern })
        end
      end
      local function before(r1, c1, r2, c2) return r1 < r2 or (r1 == r2 and c1 < c2) end
      local function capture_at(row, col)
        local best
        for _, c in ipairs(caps) do
          local inside = not before(row, col, c.sr, c.sc) and before(row, col, c.er, c.ec)
          if inside and c.name:sub(1, 1) ~= '_' then
            if not best then
              best = c
            else
              local inner = not before(c.sr, c.sc, best.sr, best.sc) and not before(best.er, best.ec, c.er, c.ec)
              local same = c.sr == best.sr and c.sc == best.sc and c.er == best.er and c.ec == best.ec
              if (same and c.pattern >= best.pattern) or (inner and not same) then best = c end
            end
          end
        end
        return best and best.name or '(none)'
      end

      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      local target
      for i, line in ipairs(lines) do
        local lead, rest = line:match('^(%s*)//(.*)$')
        local marks = rest and rest:match('^%s*([%^<][%^%s%-]*)')
        if marks and (marks:sub(1, 1) == '^' or marks:sub(1, 2) == '<-') then
          local expected = rest:sub(#rest:match('^%s*') + #marks + 1):match('^%s*(%S+)')
          local cols = {}
          if marks:sub(1, 2) == '<-' then
            table.insert(cols, #lead)
          else
            local base = #lead + 2 + #rest:match('^%s*')
            for k = 1, #marks do
              if marks:sub(k, k) == '^' then table.insert(cols, base + k - 1) end
            end
          end
          for _, col in ipairs(cols) do
            checked = checked + 1
            local got = capture_at(target - 1, col)
            if got ~= expected then
              failures = failures + 1
              out(string.format('%s:%d:%d: expected @%s, Neovim reports @%s', name, target, col + 1, expected, got))
            end
          end
        else
          target = i
        end
      end
    end
  end
  out(string.format('nvim %s: %d captures checked, %d failures', tostring(vim.version and vim.version().minor and ('0.' .. vim.version().minor) or '?'), checked, failures))
  if checked < 50 then
    out('too few assertions found')
    failures = failures + 1
  end
  finish(failures == 0 and 0 or 1)
end, debug.traceback)

if not ok then
  out('error: ' .. tostring(err))
  finish(2)
end
