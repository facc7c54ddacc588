"""The Chinese half of seed.py's vocabulary: a third of the benchmark history is in Chinese.

Written the way Chinese developers write to a model: Chinese sentences with the Latin names of
tools left as they are ("如何在 Python 中使用 asyncio？"), Chinese punctuation, no spaces
between Chinese words. Same templates and slots as the English lists in seed.py.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


TOPICS: dict[str, list[str]] = {
    "python": ["asyncio", "数据类", "装饰器", "生成器", "pytest", "类型注解"],
    "rust": ["生命周期", "借用检查器", "trait", "tokio", "cargo", "迭代器"],
    "sql": ["索引", "查询规划器", "连接查询", "事务", "sqlite", "postgres"],
    "javascript": ["Promise", "闭包", "React 钩子", "打包工具", "npm", "fetch"],
    "shell": ["管道", "awk", "sed", "定时任务", "环境变量", "rsync"],
    "go": ["协程", "通道", "接口", "context", "模块", "defer"],
    "docker": ["容器", "镜像层", "数据卷", "compose 文件", "镜像仓库"],
    "kubernetes": ["部署", "服务", "Ingress", "helm chart", "Pod", "ConfigMap"],
    "math": ["特征值", "矩阵", "积分", "概率", "梯度", "证明"],
    "cooking": ["意大利烩饭", "酸面包", "意面酱", "腌料", "焦糖布丁", "拉面"],
    "travel": ["行程", "京都", "火车通票", "签证", "预算", "里斯本"],
    "writing": ["求职信", "论文提纲", "俳句", "短篇小说", "简历"],
    "finance": ["预算", "指数基金", "房贷", "复利", "报税"],
    "git": ["变基", "合并冲突", "cherry-pick", "bisect", "子模块", "stash"],
}
TOPIC_NAMES = {
    "python": "Python", "rust": "Rust", "sql": "SQL", "javascript": "JavaScript",
    "shell": "Shell", "go": "Go", "docker": "Docker", "kubernetes": "Kubernetes",
    "math": "数学", "cooking": "烹饪", "travel": "旅行", "writing": "写作", "finance": "理财",
    "git": "Git",
}  # fmt: skip

TITLE_TEMPLATES = [
    "如何在{topic}中使用{kw}",
    "调试一个{kw}问题",
    "{Kw}详解",
    "关于{kw}的问题",
    "{Kw}的最佳实践",
    "为什么我的{kw}这么慢？",
    "比较几种{kw}方案",
    "{Kw}：快速概览",
    "求助：{topic}里的{kw}",
    "计划：{kw}",
]
QUESTIONS = [
    "如何在{topic}中使用{kw}？我总是搞不清楚细节。",
    "能用一个简短的例子解释一下{kw}吗？",
    "我的{kw}报错 E{n}，我哪里做错了？",
    "{kw}和{kw2}有什么区别？",
    "能帮我看看这种{kw}的做法，并提些改进建议吗？",
    "请给我一个{kw}的分步计划。",
    "为什么{kw}在我的机器上表现不一样（工单 #{n}）？",
    "输入很大的时候，有没有更快的方法处理{kw}？",
    "写一个我可以在本地运行的{kw}小例子。",
    "谢谢！那{kw2}怎么融入进来？",
]
NOUNS = _words(
    "值 列表 表格 文件 路径 设置 错误 消息 测试 结果 函数 方法 对象 缓存 缓冲区 请求 响应 "
    "服务器 客户端 线程 进程 队列 数据库 模式 字段 记录 字符串 数字 循环 分支 模块 软件包 库 "
    "框架 工具 命令 参数 选项 标志 变量 常量 类型 类 实例 接口 版本 发布 更新 依赖 构建 流水线 "
    "部署 配置 日志 指标 追踪 超时 重试 限制 预算 计划 步骤 目标 想法 草稿 大纲 例子 细节 总结 "
    "食谱 配料 烤箱 风味 口感 面团 酱汁 香料 厨房 车票 车站 博物馆 酒店 街区 早上 晚上 周末 "
    "季节 价格 账户 付款 余额 利率"
)
VERBS = _words(
    "检查 使用 编写 读取 解析 构建 运行 测试 测量 比较 缓存 存储 加载 保存 拆分 合并 排序 过滤 "
    "映射 归约 包装 处理 抛出 返回 捕获 记录 打印 格式化 验证 重构 重命名 移动 复制 删除 创建 "
    "安装 配置 部署 重启 监控 分析 简化 注释 审查 解释 准备 烘烤 搅拌 调味 预订 参观 规划 选择 "
    "避免"
)
ADJECTIVES = _words(
    "简单 清晰 快速 缓慢 庞大 小巧 空白 完整 过期 新鲜 安全 危险 显式 隐式 常见 少见 稳定 "
    "不稳定 共享 本地 远程 嵌套 扁平 严格 宽松 便宜 昂贵 易读 冗长 简洁 健壮 脆弱 惰性 急切 "
    "温热 酥脆 鲜嫩 安静 繁忙"
)
SENTENCES = [
    "你可以用{kw}来{verb}{noun}，这样{noun2}会保持{adj}。",
    "如果{noun}很{adj}，先{verb}它，再{verb2}{noun2}。",
    "{kw}的核心思想是每个{noun}只{verb}一次。",
    "大多数情况下，{adj}的{noun}比{adj2}的更容易{verb}。",
    "一个常见的错误是在{noun2}里面{verb}{noun}。",
    "这样可行，是因为{kw}在需要之前不会{verb}{noun}。",
    "注意{kw}和{kw2}解决的是不同的问题。",
    "对于{adj}的{noun}，最好显式地{verb}它。",
    "先试着{verb}{noun}，然后再测量一次{noun2}。",
    "错误 E{n} 通常表示你尝试{verb}{noun}时它是{adj}的。",
    "之后，{verb}{noun2}，再检查一次{noun}。",
    "在 {v} 版本中，默认的{noun}变得{adj}了，这让很多人感到意外。",
    "值得添加一个测试来{verb}{adj}的{noun}。",
    "当{noun}变大时，{kw}能让{noun2}保持{adj}。",
    "保持{noun}{adj}，其余的通常会水到渠成。",
]
REASONING_OPENERS = [
    "用户在问{topic}里的{kw}。",
    "让我想想这里的{kw}到底需要什么。",
    "首先要确认问题出在{kw}还是{kw2}。",
    "他们提到了错误 E{n}，这通常指向{kw}。",
    "我想给出一个具体的例子，而不是泛泛地谈{kw}。",
]
REASONING_STEPS = [
    "好的回答先讲核心思想，再给代码，最后列出陷阱。",
    "我应该简单提一下{kw2}，因为它常常让人困惑。",
    "边界情况：空输入、非常大的输入、并发访问。",
    "也许可以比较两种做法，并给出推荐的理由。",
    "保持简短，用户可以再追问细节。",
    "写例子之前再检查一遍语法。",
    "我记得{kw}在最近的版本里改了行为，所以要注明版本。",
]
HEADING = "{Kw}实战"
