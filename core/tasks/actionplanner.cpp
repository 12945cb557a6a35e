#include "actionplanner.h"

#include "providers/provideradapter.h"

namespace tessera {

namespace {

// A plain U of `tile` that has produced its image or may still do so.
bool isUsableUpscaleOf(const Task &child, int tile)
{
    const Operation &op = child.operation;
    if (op.kind != OperationKind::Upscale || !op.variant.isEmpty() || child.tile != tile)
        return false;
    if (child.state == TaskState::Succeeded)
        return child.image(0) != nullptr;
    return isActive(child.state);
}

} // namespace

ActionPlan ActionPlan::plan(const Operation &op, const Task &parent, const ProviderAdapter &adapter,
                            const QList<Task> &children)
{
    ActionPlan plan;
    plan.action = op;
    if (!isAction(op.kind) || op.tile < 1 || op.tile > 4 || !adapter.needsSingleImage(op)
        || parent.operation.kind == OperationKind::Upscale)
        return plan;

    plan.action.tile = 0;
    plan.action.parentTaskId.clear();
    // Prefer a finished upscale; else the newest one still under way.
    const Task *best = nullptr;
    for (const Task &child : children) {
        if (!isUsableUpscaleOf(child, op.tile))
            continue;
        if (!best || (child.state == TaskState::Succeeded && best->state != TaskState::Succeeded)
            || (child.state == best->state && child.created > best->created))
            best = &child;
    }
    if (best) {
        plan.step = Step::ReuseUpscale;
        plan.upscaleTaskId = best->id;
        plan.action.parentTaskId = best->id;
        return plan;
    }
    plan.step = Step::UpscaleFirst;
    plan.upscale = Operation::action(OperationKind::Upscale, parent.id, op.tile);
    return plan;
}

} // namespace tessera
